/* The learner's view of one upstream_contribution block.
 *
 * Scoped to its own element, so several blocks work in one unit (drawing is in
 * learner_render.js). The page asks the server for news at the interval the
 * server suggests, backs off on errors, pauses while the tab is hidden and only
 * asks seldom (for mentors' notes) when nothing is left to check. Re-rendering
 * keeps keyboard focus where it was.
 */
function UpstreamContributionLearnerView(runtime, element) {
    "use strict";
    UpstreamContributionLearnerView.contributions(runtime, element);
    UpstreamIdentityPanel(runtime, element);  // identity.js: the panel beside them
}

/* The contributions, their checks and the registration form. */
UpstreamContributionLearnerView.contributions = function (runtime, element) {
    "use strict";
    var root = UpstreamXBlockCommon.rootOf(element);
    var container = root.querySelector(".upstream-contribution");
    var init = JSON.parse(container.getAttribute("data-upstream-init") || "{}");
    var usernames = init.usernames || {};
    var language = init.language || document.documentElement.lang || undefined;
    var MAX_BACKOFF_S = 300;
    var timer = null;
    var clockTimer = null;
    var failures = 0;
    var dueWhileHidden = false;
    var inFlight = false;
    var formOpened = false;
    var checkNowTimer = null;
    var CHECK_INTERVAL_MS = (init.check_now_interval_s || 0) * 1000;
    var SETTLED_POLL_S = init.settled_poll_s || 0;

    var draw = UpstreamContributionRenderer(root, language);
    var el = draw.el, formatNodes = draw.formatNodes;
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var NETWORK_ERROR = gettext("Could not reach the course server. Retrying…");
    var timeNode = draw.timeNode, serverNow = draw.serverNow;

    function $(selector) { return root.querySelector(selector); }

    var form = $(".upstream-register");
    if (!form) { return; }  // configuration error or signed out: nothing to drive
    var urlInput = form.querySelector("input[name=url]");
    var userInput = form.querySelector("input[name=forge_username]");
    var formError = $(".upstream-form-error");
    var submitButton = $(".upstream-submit");
    var anotherButton = $(".upstream-register-another");
    var checkNowButton = $(".upstream-check-now");
    var pollStatus = $(".upstream-poll-status");
    var checkHint = $(".upstream-check-hint");
    var listTitle = $(".upstream-list-title");
    var notesSection = $(".upstream-notes-section");
    var notesStatus = $(".upstream-notes-status");
    var seenNotes = null;  // note id -> its last change, once the first status is drawn

    var post = UpstreamXBlockCommon.poster(runtime, element, NETWORK_ERROR);
    var emailsToggle = $(".upstream-emails-toggle");
    var emailsStatus = $(".upstream-emails-status");

    // The form folds into "Register another" once the unit is complete.
    function renderForm(completed) {
        var folded = completed && !formOpened;
        anotherButton.hidden = !completed;
        anotherButton.setAttribute("aria-expanded", folded ? "false" : "true");
        var hadFocus = form.contains(document.activeElement);
        form.hidden = folded;
        if (folded && hadFocus) { anotherButton.focus(); }
    }

    // "Check now" is offered when the server would accept it: some contribution still
    // checked, and one of them not checked in the last few seconds. An accepted one has
    // nothing left to learn from the forge (a sweep settles it once its award is made).
    function renderCheckNow(status) {
        clearTimeout(checkNowTimer);
        var unsettled = status.contributions.filter(function (c) {
            return c.next_check && c.verdict !== "accepted";
        });
        checkNowButton.hidden = !status.next_check_in_s || !unsettled.length;
        var readyAt = Math.min.apply(null, unsettled.map(function (c) {
            return c.last_checked ? new Date(c.last_checked).getTime() + CHECK_INTERVAL_MS : 0;
        }));
        var waitMs = readyAt - serverNow();
        var wait = !checkNowButton.hidden && waitMs > 1000;
        setBusy(checkNowButton, wait);
        checkHint.textContent = "";
        if (wait) {
            checkHint.appendChild(formatNodes(gettext("You can check again %(when)s."), {when: timeNode(
                new Date(readyAt).toISOString(), true)}));
            checkNowTimer = setTimeout(function () { renderCheckNow(status); }, waitMs);
        }
    }

    function render(status) {
        if (status.now) { draw.setServerNow(status.now); }
        var active = document.activeElement;
        var focusKey = active && root.contains(active) ? active.getAttribute("data-focus-key") : null;
        var summary = $(".upstream-summary");
        summary.textContent = status.message ? status.summary + ". " + status.message : status.summary;
        container.classList.toggle("upstream-completed", !!status.completed);
        var ownership = $(".upstream-ownership");
        ownership.hidden = !status.ownership_code;
        ownership.textContent = status.ownership_code ?
            interpolate(gettext("Your ownership code is %(code)s: put it in the description of your contribution so that we know it is yours."), {code: status.ownership_code}) : "";
        var notes = status.annotations || [];
        var list = $(".upstream-list");
        list.textContent = "";
        if (!status.contributions.length) {
            list.appendChild(el("li", "upstream-empty", gettext("You have not registered a contribution yet.")));
        }
        status.contributions.forEach(function (c) {
            list.appendChild(draw.contribution(c, onWithdraw, notesAbout(notes, c.url)));
        });
        renderNotes(notes, status.contributions);
        if (emailsToggle && typeof status.emails === "boolean") { emailsToggle.checked = status.emails; }
        renderForm(!!status.completed);
        var checkHadFocus = active === checkNowButton;
        renderCheckNow(status);
        if (focusKey) {  // a control inside a card that was just redrawn
            var again = root.querySelector("[data-focus-key='" + cssEscape(focusKey) + "']");
            (again || listTitle).focus();
        } else if (checkHadFocus && checkNowButton.hidden) {
            listTitle.focus();
        }
        schedule(status.next_check_in_s);
    }

    // A note tied to a contribution (its address) is shown in that contribution's card.
    function notesAbout(notes, url) {
        var key = String(url || "").toLowerCase();
        return notes.filter(function (note) { return note.url && note.url.toLowerCase() === key; });
    }

    // The mentor's notes that are about no listed contribution, and the announcement of
    // new or edited ones (not of those already there when the page opened).
    function renderNotes(notes, contributions) {
        var general = notes.filter(function (note) {
            return !contributions.some(function (c) { return notesAbout([note], c.url).length; });
        });
        notesSection.hidden = !general.length;
        var old = notesSection.querySelector(".upstream-notes");
        if (old) { notesSection.removeChild(old); }
        if (general.length) { notesSection.appendChild(draw.notes(general)); }
        var news = notes.filter(function (note) {
            return seenNotes !== null && seenNotes[note.id] !== (note.edited_at || note.created_at);
        });
        seenNotes = {};
        notes.forEach(function (note) { seenNotes[note.id] = note.edited_at || note.created_at; });
        if (news.length) {
            notesStatus.textContent = news.map(function (note) {
                return interpolate(gettext("New note from your mentor %(author)s: %(text)s"), {author: note.author, text: note.text});
            }).join(" ");
        }
    }

    // aria-disabled, not disabled: a disabled button loses keyboard focus to the page body.
    function setBusy(button, busy) {
        if (busy) { button.setAttribute("aria-disabled", "true"); }
        else { button.removeAttribute("aria-disabled"); }
    }

    function isBusy(button) { return button.getAttribute("aria-disabled") === "true"; }

    function cssEscape(value) {
        return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["'\\\]]/g, "\\$&");
    }

    function focusCard(url) {
        var card = root.querySelector(".upstream-item[data-url='" + cssEscape(url) + "']");
        (card || listTitle).focus();
    }

    function schedule(seconds) {
        clearTimeout(timer);
        timer = null;
        // 0: every contribution is settled; the page still asks now and then, seldom, so
        // that a mentor's new note reaches it too.
        seconds = seconds || SETTLED_POLL_S;
        if (!seconds) { return; }
        timer = setTimeout(poll, seconds * 1000);
    }

    function poll() {
        if (document.hidden) { dueWhileHidden = true; return; }
        if (inFlight) { return; }
        inFlight = true;
        post("status", {}).then(function (status) {
            failures = 0;
            if (pollStatus.textContent === NETWORK_ERROR) { pollStatus.textContent = ""; }
            render(status);
        }).catch(function () {
            failures += 1;
            pollStatus.textContent = NETWORK_ERROR;
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

    anotherButton.addEventListener("click", function () {
        formOpened = !formOpened || form.hidden;
        renderForm(true);
        if (formOpened) { urlInput.focus(); }
    });

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (isBusy(submitButton)) { return; }
        formError.textContent = "";
        urlInput.removeAttribute("aria-invalid");
        setBusy(submitButton, true);
        pollStatus.textContent = gettext("Registering…");
        post("register", {url: urlInput.value, forge_username: userInput.value}).then(function (body) {
            var host = body.contribution.host;
            if (userInput.value) { usernames[host] = userInput.value.trim(); }
            urlInput.value = "";
            formOpened = false;
            render(body.status);
            pollStatus.textContent = interpolate(gettext("Registered: %(title)s."),
                {title: body.contribution.title || body.contribution.url});
            focusCard(body.contribution.url);  // the new card: its state and checks come next
        }).catch(function (error) {
            pollStatus.textContent = "";
            formError.textContent = error.message;
            urlInput.setAttribute("aria-invalid", "true");
            urlInput.focus();
        }).then(function () { setBusy(submitButton, false); });
    });

    // The learner's choice about the block's emails (kept for every activity of the site).
    emailsToggle.addEventListener("change", function () {
        var wanted = emailsToggle.checked;
        post("notice_preferences", {emails: wanted}).then(function (body) {
            emailsToggle.checked = body.emails;
            emailsStatus.textContent = body.emails ? gettext("You will get these emails.") :
                gettext("You will not get these emails.");
        }).catch(function (error) {
            emailsToggle.checked = !wanted;
            emailsStatus.textContent = error.message;
        });
    });

    checkNowButton.addEventListener("click", function () {
        if (isBusy(checkNowButton)) { return; }
        setBusy(checkNowButton, true);
        pollStatus.textContent = gettext("Checking…");
        post("check_now", {}).then(function (status) {
            pollStatus.textContent = "";
            render(status);
        }).catch(function (error) {
            pollStatus.textContent = error.message;
            var wait = (error.body && error.body.retry_in_s) || 10;
            checkNowTimer = setTimeout(function () { setBusy(checkNowButton, false); }, wait * 1000);
        });
    });

    function onWithdraw(c, title) {
        if (!window.confirm(gettext("Withdraw this contribution?"))) { return; }
        post("withdraw", {url: c.url}).then(function (status) {
            render(status);
            pollStatus.textContent = interpolate(gettext("Withdrawn: %(title)s."), {title: title});
            listTitle.focus();  // the card is gone: land on the list it was in
        }).catch(function (error) {
            pollStatus.textContent = error.message;
            poll();  // the refusal means the page was out of date
        });
    }

    // The identity panel verified or forgot an account: the author check changes now, not
    // at the next poll. Its own block's answer carries the new status; other blocks in the
    // unit (the accounts are the learner's, for every activity) ask for theirs.
    document.addEventListener("upstream:identity-changed", function (event) {
        var status = event.detail && event.detail.status;
        if (root.contains(event.target) && status && status.contributions) {
            render(status);
        } else {
            poll();
        }
    });

    clockTimer = setInterval(draw.refreshClock, 15000);
    if (init.status) { render(init.status); }
    if (seenNotes === null) { seenNotes = {}; }  // signed-in, nothing drawn yet: all are new
};
