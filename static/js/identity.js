/* The identity panel of one upstream_contribution block: the learner's verified forge
 * accounts and the ways to verify one.
 *
 * Scoped to its own section in the block's element. Everything from the server or a
 * forge (user names, hosts) is written with textContent only; strings come from the
 * block's JS catalog. After a change it tells the rest of the block with the DOM event
 * "upstream:identity-changed" (detail: the new status), and it refreshes itself when
 * the learner comes back from signing in on a forge in another tab.
 */
function UpstreamIdentityPanel(runtime, element) {
    "use strict";
    var root = UpstreamXBlockCommon.rootOf(element);
    var section = root.querySelector(".upstream-identity");
    if (!section) { return; }
    var init = JSON.parse(section.getAttribute("data-upstream-identity") || "{}");
    var state = init.identity || {accounts: [], forges: []};

    function $(selector) { return section.querySelector(selector); }
    var statusLine = $(".upstream-identity-status");
    var errorLine = $(".upstream-identity-error");
    var form = $(".upstream-identity-code-form");
    var urlInput = form.querySelector("input[name=identity_url]");
    var codeButton = $(".upstream-identity-code-submit");
    var linkedButton = $(".upstream-identity-linked");
    var awaitingSignIn = false;  // a "Verify with ..." tab was opened from this panel

    var el = UpstreamXBlockCommon.el;
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var post = UpstreamXBlockCommon.poster(runtime, element,
                                           gettext("Could not reach the course server. Try again."));
    // How an account was verified, as the panel says it.
    var METHODS = {
        oauth: gettext("signed in on the forge"),
        linked: gettext("linked to your profile"),
        comment_code: gettext("code posted in a comment"),
        description_code: gettext("code in a description"),
        vouched: gettext("vouched for by your course team")
    };

    function accountKey(account) { return account.host + "\n" + account.account_id; }

    function renderAccounts() {
        var list = $(".upstream-identity-accounts");
        list.textContent = "";
        (state.accounts || []).forEach(function (account) {
            var values = {username: account.username, host: account.host,
                          method: METHODS[account.method] || account.method};
            var item = el("li", "upstream-identity-account");
            item.appendChild(el("span", "upstream-identity-account-name",
                                interpolate(gettext("%(username)s on %(host)s (%(method)s)"), values)));
            var remove = el("button", "upstream-identity-remove", gettext("Remove"));
            remove.type = "button";
            remove.setAttribute("aria-label", interpolate(gettext("Remove %(username)s on %(host)s"), values));
            remove.addEventListener("click", function () { forget(account, values); });
            item.appendChild(remove);
            list.appendChild(item);
        });
        $(".upstream-identity-none").hidden = (state.accounts || []).length > 0;
    }

    function renderWays() {
        var links = $(".upstream-identity-oauth-links");
        links.textContent = "";
        (state.forges || []).forEach(function (forge) {
            if (!forge.oauth_url) { return; }
            var item = el("li");
            var link = el("a", "upstream-identity-oauth-link",
                          interpolate(gettext("Verify with %(forge)s (opens in a new tab)"), {forge: forge.name}));
            link.href = forge.oauth_url;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            link.addEventListener("click", function () { awaitingSignIn = true; });
            item.appendChild(link);
            links.appendChild(item);
        });
        $(".upstream-identity-oauth").hidden = !links.children.length;
        $(".upstream-identity-code").textContent = state.code || "";
    }

    function render(next) {
        state = next || state;
        renderAccounts();
        renderWays();
    }

    // Show the new state; say what changed (``describe(before)``) and tell the block.
    function changed(body, describe) {
        var before = state.accounts || [];
        var keys = before.map(accountKey).join("|");
        render(body.identity);
        statusLine.textContent = describe(before);
        if (keys !== (state.accounts || []).map(accountKey).join("|") || body.status) {
            root.dispatchEvent(new CustomEvent("upstream:identity-changed",
                                               {bubbles: true, detail: {status: body.status}}));
        }
    }

    function newest(before) {
        var known = {};
        before.forEach(function (account) { known[accountKey(account)] = true; });
        return (state.accounts || []).filter(function (a) { return !known[accountKey(a)]; })[0];
    }

    function verified(before) {
        var account = newest(before);
        return account ? interpolate(gettext("Verified: %(username)s on %(host)s. Your contributions are checked again with it."), {username: account.username, host: account.host})
                       : gettext("No new account was verified.");
    }

    function busy(button, on) {
        if (!button) { return; }
        button.disabled = on;
        button.setAttribute("aria-busy", on ? "true" : "false");
    }

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        errorLine.textContent = "";
        var url = urlInput.value.trim();
        if (!url) {
            errorLine.textContent = gettext("Give the address of the contribution where you posted your code.");
            urlInput.focus();
            return;
        }
        busy(codeButton, true);
        statusLine.textContent = gettext("Checking…");
        post("verify_code", {url: url}).then(function (body) {
            urlInput.value = "";
            changed(body, verified);
        }).catch(function (error) {
            statusLine.textContent = "";
            errorLine.textContent = error.message;
            urlInput.focus();
        }).then(function () { busy(codeButton, false); });
    });

    if (linkedButton) {
        linkedButton.addEventListener("click", function () {
            errorLine.textContent = "";
            busy(linkedButton, true);
            statusLine.textContent = gettext("Checking…");
            post("verify_linked").then(function (body) {
                changed(body, verified);
            }).catch(function (error) {
                statusLine.textContent = error.message;
            }).then(function () { busy(linkedButton, false); });
        });
    }

    function forget(account, values) {
        if (!window.confirm(interpolate(gettext("Remove %(username)s on %(host)s from your verified accounts? Its contributions will not count until you verify it again."), values))) { return; }
        post("forget_account", {host: account.host, account_id: account.account_id})
            .then(function (body) {
                changed(body, function () { return interpolate(gettext("%(username)s on %(host)s is no longer verified."), values); });
            })
            .catch(function (error) { statusLine.textContent = error.message; });
    }

    // Back from the forge's sign-in tab: show the account it verified.
    window.addEventListener("focus", function () {
        if (!awaitingSignIn) { return; }
        awaitingSignIn = false;
        post("identity").then(function (body) {
            var keys = (state.accounts || []).map(accountKey).join("|");
            var next = ((body.identity || {}).accounts || []).map(accountKey).join("|");
            if (keys === next) { render(body.identity); } else { changed(body, verified); }
        }).catch(function () { /* the next focus tries again */ });
    });

    render(state);
}
