/* The mentors' vouch dialog, beside the progress table (progress.js) of one block.
 *
 * An item of each learner row's menu opens a modal <dialog> (keyboard: Tab moves
 * through it, Escape closes it, focus returns to the row's menu button). The mentor gives
 * an address or a description and a reason; the `vouch` handler accepts the
 * contribution and the table is asked again through its own filter form.
 * Course staff also see the learner's accepted-by-a-mentor contributions there
 * and can withdraw one with a reason (`revoke_vouch`), or confirm a mentor's
 * proposal (`confirm_vouch`). After the table is drawn again, the focus is on the
 * row's menu button. Scoped to its element; text written with textContent only.
 */
function UpstreamContributionVouchDialog(runtime, element) {
    "use strict";
    var root = UpstreamXBlockCommon.rootOf(element);
    var dialog = root.querySelector(".upx-vouch");
    if (!dialog) { return; }  // not offered here (Studio's preview)
    var init = JSON.parse(dialog.getAttribute("data-vouch-init") || "{}");
    var form = dialog.querySelector(".upx-vouch-form");
    var title = dialog.querySelector(".upx-vouch-title");
    var errorLine = dialog.querySelector(".upx-vouch-error");
    var withdrawals = dialog.querySelector(".upx-vouch-withdrawals");
    var withdrawList = dialog.querySelector(".upx-vouch-list");
    var statusLine = root.querySelector(".upx-vouch-status");
    var table = root.querySelector(".upx-table tbody");
    var current = null;  // {id, username, opener}

    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var post = UpstreamXBlockCommon.poster(runtime, element, gettext("Could not reach the course server."));
    var el = UpstreamXBlockCommon.el;

    // The table asks the server again, with the filters its form holds; once the learner's
    // row is drawn anew, its menu has the focus (the row the dialog was opened from is gone).
    function reloadTable(learnerId) {
        var table = root.querySelector(".upstream-progress");
        if (table && learnerId !== undefined) { table.setAttribute("data-focus-learner", learnerId); }
        var filters = root.querySelector(".upx-filters");
        if (filters && filters.requestSubmit) { filters.requestSubmit(); }
    }

    // -- one item in each learner row's menu, added as progress.js renders rows -------------
    function addButton(row) {
        var cell = row.querySelector("th");
        var menu = cell && cell.querySelector(".upx-row-menu");
        if (!menu || menu.querySelector(".upx-vouch-open")) { return; }
        var name = cell.querySelector(".upx-username");
        var learner = {id: row.getAttribute("data-learner"),
                       username: name ? name.textContent : row.getAttribute("data-learner")};
        UpstreamXBlockTables.menuItem(menu,
            interpolate(gettext("Accept a contribution of %(username)s"), {username: learner.username}),
            "upx-vouch-open", function (opener) { open(learner, opener); });
    }

    function addButtons() {
        Array.prototype.forEach.call(table.querySelectorAll("tr[data-learner]"), addButton);
    }

    if (table) {
        new MutationObserver(addButtons).observe(table, {childList: true});
        root.addEventListener("upx-rows", addButtons);  // at once, before the focus returns
        addButtons();
    }

    // The row's menu button: the one the dialog was opened from, or its successor once the
    // table was drawn again (the focus never falls to the page).
    function focusOpener() {
        if (!current) { return; }
        if (current.opener && document.contains(current.opener)) { current.opener.focus(); return; }
        var row = Array.prototype.filter.call(table ? table.querySelectorAll("tr[data-learner]") : [],
            function (tr) { return tr.getAttribute("data-learner") === current.id; })[0];
        var button = row && row.querySelector(".upx-row-menu-toggle");
        if (button) { button.focus(); }
    }

    // -- the dialog ----------------------------------------------------------------------
    function open(learner, opener) {
        current = {id: learner.id, username: learner.username, opener: opener};
        form.reset();
        errorLine.textContent = "";
        title.textContent = interpolate(gettext("Accept a contribution of %(username)s"), {username: learner.username});
        withdrawals.hidden = true;
        while (withdrawList.firstChild) { withdrawList.removeChild(withdrawList.firstChild); }
        dialog.showModal();
        form.elements.url.focus();
        if (init.staff) { listVouched(learner); }
    }

    function close(announcement) {
        if (dialog.open) { dialog.close(); }
        if (announcement) { statusLine.textContent = announcement; }
    }

    dialog.addEventListener("close", focusOpener);
    dialog.querySelector(".upx-vouch-cancel").addEventListener("click", function () { close(); });

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        var url = form.elements.url.value.trim();
        var description = form.elements.description.value.trim();
        var reason = form.elements.reason.value.trim();
        if (!url && !description) { return fail(gettext("Give the contribution's address or describe it."), form.elements.url); }
        if (!reason) { return fail(gettext("Say why you accept it."), form.elements.reason); }
        var payload = {learner_id: current.id, reason: reason};
        if (url) { payload.url = url; }
        if (description) { payload.description = description; }
        var submit = form.querySelector(".upx-vouch-submit");
        submit.disabled = true;
        post("vouch", payload).then(function (body) {
            var message = body.proposed
                ? gettext("Proposed for %(username)s: it counts once course staff confirm it.")
                : (body.completed
                    ? gettext("Accepted for %(username)s: this activity is now complete for them.")
                    : gettext("Accepted for %(username)s."));
            close(interpolate(message, {username: current.username}));
            reloadTable(current.id);
        }).catch(function (error) {
            fail(interpolate(gettext("Not accepted: %(message)s"), {message: error.message}));
        }).then(function () { submit.disabled = false; });
    });

    function fail(message, field) {
        errorLine.textContent = message;
        if (field) { field.focus(); }
    }

    // -- staff: withdraw a mentor's acceptance -------------------------------------------
    function listVouched(learner) {
        post("progress", {page: 1, page_size: 100, filters: {search: learner.username}})
            .then(function (body) {
                var row = (body.rows || []).filter(function (r) { return r.learner.id === learner.id; })[0];
                var vouched = row ? row.contributions.filter(function (c) {
                    return c.vouch && !c.vouch.withdrawn;
                }) : [];
                if (!current || current.id !== learner.id) { return; }
                vouched.forEach(function (c) { withdrawList.appendChild(withdrawItem(c)); });
                withdrawals.hidden = !vouched.length;
            })
            .catch(function (error) { errorLine.textContent = error.message; });
    }

    function withdrawItem(contribution) {
        var item = el("li", "upx-vouch-withdraw");
        var name = contribution.title || contribution.url;
        item.appendChild(el("p", "upx-vouch-item", interpolate(gettext("%(title)s, accepted by a mentor: %(reason)s"),
                                                                {title: name, reason: contribution.vouch.reason})));
        var field = el("div", "upx-field");
        var reason = el("input");
        reason.type = "text";
        reason.maxLength = 500;
        reason.id = dialog.id + "-withdraw-" + withdrawList.children.length;
        var label = el("label", null, interpolate(gettext("Why course staff withdraw %(title)s"), {title: name}));
        label.htmlFor = reason.id;
        field.appendChild(label);
        field.appendChild(reason);
        item.appendChild(field);
        var button = el("button", "upx-btn upx-btn-outline upx-danger", gettext("Withdraw"));
        button.type = "button";
        button.setAttribute("aria-label", interpolate(gettext("Withdraw the acceptance of %(title)s"), {title: name}));
        button.addEventListener("click", function () {
            if (!reason.value.trim()) { return fail(gettext("Say why you withdraw it."), reason); }
            button.disabled = true;
            post("revoke_vouch", {learner_id: current.id, url: contribution.url,
                                  reason: reason.value.trim()})
                .then(function () { close(gettext("The mentor's acceptance was withdrawn.")); reloadTable(current.id); })
                .catch(function (error) { fail(error.message); button.disabled = false; });
        });
        if (contribution.vouch.proposed) { item.appendChild(confirmButton(contribution, name)); }
        item.appendChild(button);
        return item;
    }

    // A mentor's proposal (the block's mentor_vouches_need_staff): staff confirm it.
    function confirmButton(contribution, name) {
        var button = el("button", "upx-btn upx-vouch-confirm", gettext("Confirm"));
        button.type = "button";
        button.setAttribute("aria-label",
            interpolate(gettext("Confirm the mentor's proposal of %(title)s"), {title: name}));
        button.addEventListener("click", function () {
            button.disabled = true;
            post("confirm_vouch", {learner_id: current.id, url: contribution.url})
                .then(function () {
                    close(interpolate(gettext("Confirmed: it counts for %(username)s."),
                                      {username: current.username}));
                    reloadTable(current.id);
                })
                .catch(function (error) { fail(error.message); button.disabled = false; });
        });
        return button;
    }
}
