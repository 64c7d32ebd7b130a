/* The learner's view of one upstream_contribution block.
 *
 * Scoped to its own element, so several blocks work in one unit. Forge text
 * (titles, user names) is written with textContent only. The page asks the
 * server for news at the interval the server suggests, backs off on errors,
 * pauses while the tab is hidden and stops when nothing is left to check.
 */
function UpstreamContributionLearnerView(runtime, element) {
    "use strict";
    var root = (element && element.jquery) ? element[0] : element;
    var container = root.querySelector(".upstream-contribution");
    var init = JSON.parse(container.getAttribute("data-upstream-init") || "{}");
    var text = init.text || {};
    var usernames = init.usernames || {};
    var MAX_BACKOFF_S = 300;
    var timer = null;
    var failures = 0;
    var dueWhileHidden = false;
    var inFlight = false;

    function $(selector) { return root.querySelector(selector); }

    var form = $(".upstream-register");
    if (!form) { return; }  // configuration error: nothing to drive
    var urlInput = form.querySelector("input[name=url]");
    var userInput = form.querySelector("input[name=forge_username]");
    var formError = $(".upstream-form-error");
    var submitButton = $(".upstream-submit");
    var checkNowButton = $(".upstream-check-now");
    var pollStatus = $(".upstream-poll-status");

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }

    function post(handler, payload) {
        return fetch(runtime.handlerUrl(element, handler), {
            method: "POST",
            credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(),
                      "X-Requested-With": "XMLHttpRequest"},
            body: JSON.stringify(payload || {})
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
                if (!response.ok) {
                    var error = new Error((body.error && body.error.message) || response.statusText);
                    error.status = response.status;
                    error.body = body.error || {};
                    throw error;
                }
                return body;
            });
        });
    }

    function el(tag, className, content) {
        var node = document.createElement(tag);
        if (className) { node.className = className; }
        if (content !== undefined && content !== null) { node.textContent = content; }
        return node;
    }

    // Fills "%(name)s" placeholders: translators own the whole sentence and its punctuation.
    function format(template, params) {
        return template.replace(/%\((\w+)\)s/g, function (match, name) {
            return params.hasOwnProperty(name) ? String(params[name]) : match;
        });
    }

    function formatTime(iso) {
        if (!iso) { return text.never; }
        var date = new Date(iso);
        return isNaN(date.getTime()) ? iso : date.toLocaleString();
    }

    function safeHref(url) {
        return /^https?:\/\//i.test(url || "") ? url : null;
    }

    function renderCheck(check) {
        var item = el("li", "upstream-check upstream-check-" + check.outcome);
        item.appendChild(el("span", "upstream-check-outcome", (text[check.outcome] || check.outcome) + " "));
        item.appendChild(el("span", "upstream-check-reason", check.reason));
        return item;
    }

    function renderContribution(c) {
        var item = el("li", "upstream-item upstream-verdict-" + c.verdict);
        var heading = el("div", "upstream-item-heading");
        var href = safeHref(c.web_url);
        var title = c.title || text.untitled;
        if (href) {
            var link = el("a", "upstream-item-link", title);
            link.href = href;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            link.setAttribute("aria-label", format(text.open_link, {title: title}));
            heading.appendChild(link);
        } else {
            heading.appendChild(el("span", "upstream-item-link", title));
        }
        heading.appendChild(el("span", "upstream-state upstream-state-" + c.state, c.state_label));
        item.appendChild(heading);
        item.appendChild(el("div", "upstream-item-repo",
            format(text.repository, {repository: c.repository, number: c.number})));
        if (c.checks && c.checks.length) {
            var checks = el("ul", "upstream-checks");
            c.checks.forEach(function (check) { checks.appendChild(renderCheck(check)); });
            item.appendChild(checks);
        }
        if (c.error) { item.appendChild(el("p", "upstream-item-error", c.error.message)); }
        var when = format(text.times, {last: formatTime(c.last_checked),
            next: c.next_check ? formatTime(c.next_check) : text.settled});
        item.appendChild(el("div", "upstream-item-times", when));
        if (c.counted) {
            item.appendChild(el("div", "upstream-item-counted", text.counted));
        } else {
            var withdraw = el("button", "upstream-withdraw", text.withdraw);
            withdraw.type = "button";
            withdraw.setAttribute("aria-label", format(text.withdraw_label, {title: title}));
            withdraw.addEventListener("click", function () { onWithdraw(c.url); });
            item.appendChild(withdraw);
        }
        return item;
    }

    function render(status) {
        var summary = $(".upstream-summary");
        summary.textContent = status.message ? status.summary + ". " + status.message : status.summary;
        container.classList.toggle("upstream-completed", !!status.completed);
        var ownership = $(".upstream-ownership");
        ownership.hidden = !status.ownership_code;
        ownership.textContent = status.ownership_code ?
            format(text.ownership_code, {code: status.ownership_code}) : "";
        var list = $(".upstream-list");
        list.textContent = "";
        if (!status.contributions.length) {
            list.appendChild(el("li", "upstream-empty", text.no_contributions));
        }
        status.contributions.forEach(function (c) { list.appendChild(renderContribution(c)); });
        checkNowButton.hidden = !status.next_check_in_s;
        schedule(status.next_check_in_s);
    }

    function schedule(seconds) {
        clearTimeout(timer);
        timer = null;
        if (!seconds) { return; }  // 0: everything is settled, stop asking
        timer = setTimeout(poll, seconds * 1000);
    }

    function poll() {
        if (document.hidden) { dueWhileHidden = true; return; }
        if (inFlight) { return; }
        inFlight = true;
        post("status", {}).then(function (status) {
            failures = 0;
            pollStatus.textContent = "";
            render(status);
        }).catch(function () {
            failures += 1;
            pollStatus.textContent = text.network_error;
            schedule(Math.min(5 * Math.pow(2, failures), MAX_BACKOFF_S));
        }).then(function () { inFlight = false; });
    }

    document.addEventListener("visibilitychange", function () {
        if (!document.hidden && dueWhileHidden) {
            dueWhileHidden = false;
            poll();
        }
    });

    urlInput.addEventListener("change", function () {
        var host;
        try { host = new URL(urlInput.value.trim()).host.toLowerCase(); } catch (e) { return; }
        if (!userInput.value && usernames[host]) { userInput.value = usernames[host]; }
    });

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        formError.textContent = "";
        urlInput.removeAttribute("aria-invalid");
        submitButton.disabled = true;
        pollStatus.textContent = text.registering;
        post("register", {url: urlInput.value, forge_username: userInput.value}).then(function (body) {
            var host = body.contribution.host;
            if (userInput.value) { usernames[host] = userInput.value.trim(); }
            urlInput.value = "";
            pollStatus.textContent = "";
            render(body.status);
        }).catch(function (error) {
            pollStatus.textContent = "";
            formError.textContent = error.message;
            urlInput.setAttribute("aria-invalid", "true");
            urlInput.focus();
        }).then(function () { submitButton.disabled = false; });
    });

    checkNowButton.addEventListener("click", function () {
        checkNowButton.disabled = true;
        pollStatus.textContent = text.checking;
        post("check_now", {}).then(function (status) {
            pollStatus.textContent = "";
            render(status);
            checkNowButton.disabled = false;
        }).catch(function (error) {
            pollStatus.textContent = error.message;
            var wait = (error.body && error.body.retry_in_s) || 10;
            setTimeout(function () { checkNowButton.disabled = false; }, wait * 1000);
        });
    });

    function onWithdraw(url) {
        if (!window.confirm(text.withdraw_confirm)) { return; }
        post("withdraw", {url: url}).then(render).catch(function (error) {
            pollStatus.textContent = error.message;
        });
    }

    if (init.status) { render(init.status); }
}
