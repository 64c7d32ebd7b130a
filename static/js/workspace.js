/* The course-wide workspace: each learner once, with their work in every upstream activity
 * of the course. The server pages, sorts and filters (the block table's filters, plus the
 * activity); this module asks for one page at a time and renders it, with textContent
 * only. Course staff get the block table's tools (static/js/staff_tools.js), here acting
 * on the course's endpoints: bulk actions in one activity, CSV across the course, the
 * course's audit trail.
 */
function UpstreamContributionWorkspace(container) {
    "use strict";
    var init = JSON.parse(container.getAttribute("data-upstream-init") || "{}");
    var FIRST_DIRECTION = {username: "", verdict: "", waiting: "-", last_activity: "-"};
    var ICONS = {accepted: "\u2713", pending: "\u25CB", rejected: "\u2717"};
    var state = {page: 1, sort: init.sort || "-waiting", filters: {}, pages: 1};
    var staffTools = null;

    var gettext = UpstreamXBlockCommon.gettext, ngettext = UpstreamXBlockCommon.ngettext;
    var interpolate = UpstreamXBlockCommon.interpolate, el = UpstreamXBlockCommon.el;

    function $(selector) { return container.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(container.querySelectorAll(selector)); }

    var summary = $(".upx-summary"), statusLine = $(".upx-status"), errorLine = $(".upx-error");
    var tbody = $(".upx-table tbody"), filterForm = $(".upx-filters");
    var pageLabel = $(".upx-page-label"), prevButton = $(".upx-prev"), nextButton = $(".upx-next");

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }

    // post(name, payload): the workspace's endpoint of that name (as staff_tools.js names
    // the block's handlers); rejects with the server's message, ``status`` and ``body``.
    function post(name, payload) {
        var networkError = gettext("Could not reach the course server.");
        return fetch(init.urls[name], {
            method: "POST", credentials: "same-origin",
            headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(),
                      "X-Requested-With": "XMLHttpRequest"},
            body: JSON.stringify(payload || {})
        }).then(function (response) {
            return response.json().catch(function () { return {}; }).then(function (body) {
                if (!response.ok) {
                    var error = new Error((body.error && body.error.message) || response.statusText || networkError);
                    error.status = response.status;
                    error.body = body.error || {};
                    throw error;
                }
                return body;
            });
        }, function () { throw new Error(networkError); });
    }

    function formatTime(iso) {
        if (!iso) { return gettext("never"); }
        var date = new Date(iso);
        return isNaN(date.getTime()) ? iso : date.toLocaleString();
    }

    // -- filters and their errors ---------------------------------------------------
    function readFilters() {
        var filters = {};
        ["search", "forge", "repository"].forEach(function (name) {
            var value = filterForm.elements[name].value.trim();
            if (value) { filters[name] = value; }
        });
        ["activity", "verdict", "state"].forEach(function (name) {
            var value = filterForm.elements[name].value;
            if (value) { filters[name] = value; }
        });
        ["waiting_days", "inactive_days"].forEach(function (name) {
            var value = filterForm.elements[name].value;
            if (value !== "" && !isNaN(parseInt(value, 10))) { filters[name] = parseInt(value, 10); }
        });
        ["stuck", "has_annotations"].forEach(function (name) {
            if (filterForm.elements[name].checked) { filters[name] = true; }
        });
        return filters;
    }

    function clearFieldErrors() {
        $all(".upx-filters .upx-field-error").forEach(function (note) { note.parentNode.removeChild(note); });
        $all(".upx-filters [aria-invalid]").forEach(function (field) {
            field.removeAttribute("aria-invalid");
            field.setAttribute("aria-describedby", field.getAttribute("data-hint") || "");
            if (!field.getAttribute("aria-describedby")) { field.removeAttribute("aria-describedby"); }
        });
    }

    // A filter's error under its field (whose label says what it is), the field marked.
    function fieldError(field, message) {
        clearFieldErrors();
        var note = el("p", "upx-field-error", message);
        note.id = field.id + "-error";
        note.setAttribute("role", "alert");
        (field.closest(".upx-field") || field.parentNode).appendChild(note);
        var hint = field.getAttribute("aria-describedby") || "";
        field.setAttribute("data-hint", hint);
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", (hint ? hint + " " : "") + note.id);
        field.focus();
    }

    // -- rendering ------------------------------------------------------------------
    function verdictBadge(verdict, label) {
        var badge = el("span", "upx-badge upx-verdict upx-verdict-" + verdict);
        badge.appendChild(el("span", "upx-check-icon", ICONS[verdict] || "")).setAttribute("aria-hidden", "true");
        badge.appendChild(document.createTextNode(label));
        return badge;
    }

    function contributionItem(contribution) {
        var item = el("li", "upx-contribution");
        var title = contribution.title || gettext("(title not known yet)");
        if (contribution.described) {
            item.appendChild(el("span", "upx-contribution-title", title));
        } else {
            item.appendChild(UpstreamXBlockCommon.externalLink("upx-contribution-link", contribution.web_url, title));
        }
        item.appendChild(el("span", "upx-badge upx-state-" + contribution.state, contribution.state_label));
        return item;
    }

    function activityCell(activity, cell) {
        var td = el("td", "upx-activity-cell");
        if (!cell) {
            td.appendChild(el("span", "upx-muted", gettext("Nothing registered")));
            return td;
        }
        td.appendChild(verdictBadge(cell.verdict, cell.verdict_label));
        var list = el("ul", "upx-contributions");
        cell.contributions.forEach(function (c) { list.appendChild(contributionItem(c)); });
        td.appendChild(list);
        return td;
    }

    function renderRow(row) {
        var tr = el("tr", row.stuck ? "upx-row upx-row-stuck" : "upx-row");
        tr.setAttribute("data-learner", row.learner.id);
        if (staffTools) { tr.appendChild(staffTools.selectCell(row)); }
        var who = el("th", "upx-learner", null);
        who.scope = "row";
        who.appendChild(el("span", "upx-username", row.learner.username));
        tr.appendChild(who);
        var progress = el("td", "upx-progress-cell");
        progress.appendChild(verdictBadge(row.verdict, row.verdict_label));
        progress.appendChild(el("p", "upx-muted", interpolate(ngettext(
            "%(completed)s of %(count)s activity complete", "%(completed)s of %(count)s activities complete",
            row.counts.activities), {completed: row.counts.completed, count: row.counts.activities})));
        if (row.stuck) { progress.appendChild(el("p", "upx-stuck", gettext("Stuck in an activity"))); }
        tr.appendChild(progress);
        var cells = {};
        row.activities.forEach(function (cell) { cells[cell.id] = cell; });
        init.activities.forEach(function (activity) { tr.appendChild(activityCell(activity, cells[activity.id])); });
        tr.appendChild(el("td", "upx-waiting-cell", row.waiting_days === null ? gettext("Not waiting")
            : interpolate(ngettext("Waiting %(days)s day", "Waiting %(days)s days", row.waiting_days),
                          {days: row.waiting_days})));
        tr.appendChild(el("td", "upx-activity-time", formatTime(row.last_activity)));
        return tr;
    }

    function render(body, announcement) {
        state.pages = body.pages;
        state.page = body.page;
        summary.textContent = interpolate(gettext("Learners: %(registered)s · In progress: %(pending)s · Completed every activity started: %(accepted)s · Need a new contribution: %(rejected)s · Stuck: %(stuck)s"), body.summary || {});
        while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
        body.rows.forEach(function (row) { tbody.appendChild(renderRow(row)); });
        var count = interpolate(ngettext("%(count)s learner matches. Page %(page)s of %(pages)s.",
                                         "%(count)s learners match. Page %(page)s of %(pages)s.", body.count),
                                {count: body.count, page: body.page, pages: body.pages});
        pageLabel.textContent = count;
        prevButton.disabled = body.page <= 1;
        nextButton.disabled = body.page >= body.pages;
        var line = body.count ? count : gettext("No learner matches these filters.");
        statusLine.textContent = announcement ? announcement + " " + line : line;
        if (staffTools) { staffTools.rendered(body, state.filters); }
    }

    var latestLoad = 0;

    function load(announcement) {
        var ticket = ++latestLoad;
        errorLine.textContent = "";
        container.setAttribute("aria-busy", "true");
        return post("progress", {page: state.page, page_size: init.page_size, sort: state.sort,
                                 filters: state.filters})
            .then(function (body) {
                if (ticket === latestLoad) { clearFieldErrors(); render(body, announcement); }
            })
            .catch(function (error) {
                if (ticket !== latestLoad) { return; }
                var field = error.body && error.body.field && filterForm.elements[error.body.field];
                if (field && field.nodeType === 1) { fieldError(field, error.message); return; }
                errorLine.textContent = interpolate(gettext("Could not load the learners: %(message)s"),
                                                    {message: error.message});
            })
            .then(function () { if (ticket === latestLoad) { container.removeAttribute("aria-busy"); } });
    }

    // -- sorting, pages, the filter form ------------------------------------------
    function showSort() {
        var key = state.sort.replace(/^-/, ""), descending = state.sort.charAt(0) === "-";
        $all("th[data-sort]").forEach(function (th) {
            th.setAttribute("aria-sort", th.getAttribute("data-sort") === key
                ? (descending ? "descending" : "ascending") : "none");
        });
    }

    $all("th[data-sort] .upx-sort").forEach(function (button) {
        button.addEventListener("click", function () {
            var key = button.parentNode.getAttribute("data-sort");
            if (state.sort.replace(/^-/, "") === key) {
                state.sort = state.sort.charAt(0) === "-" ? key : "-" + key;
            } else {
                state.sort = FIRST_DIRECTION[key] + key;
            }
            state.page = 1;
            showSort();
            load(interpolate(gettext("Sorted by %(column)s, %(direction)s."), {column: button.textContent,
                direction: state.sort.charAt(0) === "-" ? gettext("descending") : gettext("ascending")}));
        });
    });

    filterForm.addEventListener("submit", function (event) {
        event.preventDefault();
        state.filters = readFilters();
        state.page = 1;
        load();
    });
    filterForm.addEventListener("reset", function () {
        state.filters = {};
        state.page = 1;
        window.setTimeout(load, 0);  // after the browser cleared the fields
    });
    prevButton.addEventListener("click", function () { if (state.page > 1) { state.page -= 1; load(); } });
    nextButton.addEventListener("click", function () { if (state.page < state.pages) { state.page += 1; load(); } });

    if (init.staff && window.UpstreamContributionStaffTools) {
        staffTools = window.UpstreamContributionStaffTools(null, null, container, {
            post: post, el: el, formatTime: formatTime,
            reload: function (announcement) { return load(announcement); }
        });
    }
    statusLine.textContent = gettext("Loading learners…");
    showSort();
    load();
}
