/* The course-wide workspace: each learner once, with their work in every upstream activity
 * of the course. The server pages, sorts and filters (the block table's filters, plus the
 * activity); this module asks for one page at a time and renders it, with textContent
 * only. The filters, their errors and the sortable headings are the block table's
 * (static/js/tables.js). Course staff get the block table's tools (static/js/staff_tools.js), here acting
 * on the course's endpoints: bulk actions in one activity, CSV across the course, the
 * course's audit trail.
 */
function UpstreamContributionWorkspace(container) {
    "use strict";
    var init = JSON.parse(container.getAttribute("data-upstream-init") || "{}");
    var ICONS = {accepted: "\u2713", pending: "\u25CB", rejected: "\u2717"};
    var state = {page: 1, sort: init.sort || "-waiting", filters: {}, pages: 1};
    var staffTools = null;

    var gettext = UpstreamXBlockCommon.gettext, ngettext = UpstreamXBlockCommon.ngettext;
    var interpolate = UpstreamXBlockCommon.interpolate, el = UpstreamXBlockCommon.el;

    function $(selector) { return container.querySelector(selector); }

    var summary = $(".upx-summary");
    var tbody = $(".upx-table tbody"), filterForm = $(".upx-filters");

    // post(name, payload): the workspace's endpoint of that name (as staff_tools.js names
    // the block's handlers).
    var post = UpstreamXBlockCommon.postTo(function (name) { return init.urls[name]; },
                                           gettext("Could not reach the course server."));

    function formatTime(iso) {
        if (!iso) { return gettext("never"); }
        var date = new Date(iso);
        return isNaN(date.getTime()) ? iso : date.toLocaleString();
    }

    // -- filters and their errors (as the block's table reads and shows them) ---------
    var table = UpstreamXBlockTables;
    var filterErrors = table.fieldErrors(filterForm);

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
        tr.appendChild(table.overdueCell(row));
        tr.appendChild(el("td", "upx-activity-time", formatTime(row.last_activity)));
        return tr;
    }

    function render(body, announcement) {
        var restoreFocus = table.keepRowFocus(tbody);
        state.pages = body.pages;
        state.page = body.page;
        summary.textContent = interpolate(gettext("Learners: %(registered)s · In progress: %(pending)s · Completed every activity started: %(accepted)s · Need a new contribution: %(rejected)s · Stuck: %(stuck)s"), body.summary || {});
        while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
        body.rows.forEach(function (row) { tbody.appendChild(renderRow(row)); });
        restoreFocus();
        table.showCount(container, body, announcement);
        if (staffTools) { staffTools.rendered(body, state.filters); }
    }

    var load = table.loader(container, state, post, init.page_size, function (body, announcement) {
        filterErrors.clear();
        render(body, announcement);
    }, function (error) {
        var field = error.body && error.body.field && filterForm.elements[error.body.field];
        if (field && field.nodeType === 1) { filterErrors.show(field, error.message); return true; }
        return false;
    });

    // -- sorting, pages, the filter form ------------------------------------------
    table.filtering(filterForm, state, load);
    table.paging(container, state, load);

    if (init.staff && window.UpstreamContributionStaffTools) {
        staffTools = window.UpstreamContributionStaffTools(null, null, container, {
            post: post, el: el, formatTime: formatTime,
            reload: function (announcement) { return load(announcement); }
        });
    }
    table.sortable(container, state, load);
    load();
    loadProjects();

    // -- the course's target projects (tracking/pace.py), and their CSV -------------------
    function days(value) {
        if (value === null || value === undefined) { return gettext("Not enough recent contributions"); }
        var shown = Math.round(value * 10) / 10;
        return interpolate(ngettext("%(days)s day", "%(days)s days", shown), {days: shown});
    }

    function loadProjects() {
        var section = $(".upx-projects");
        var status = section.querySelector(".upx-projects-status");
        var rows = section.querySelector("tbody");
        section.querySelector(".upx-projects-csv").setAttribute("href", init.urls.projects_csv);
        status.textContent = gettext("Loading the target projects…");
        post("projects", {}).then(function (body) {
            while (rows.firstChild) { rows.removeChild(rows.firstChild); }
            body.projects.forEach(function (project) {
                var tr = el("tr");
                var name = el("th", "upx-project-name");
                name.scope = "row";
                name.appendChild(el("bdi", null, project.host + "/" + project.repository));
                tr.appendChild(name);
                tr.appendChild(el("td", null, String(project.contributions)));
                tr.appendChild(el("td", null, String(project.accepted)));
                tr.appendChild(el("td", null, days(project.first_response_days_median)));
                tr.appendChild(el("td", null, days(project.merge_days_median)));
                rows.appendChild(tr);
            });
            status.textContent = interpolate(ngettext("%(count)s target project", "%(count)s target projects",
                body.projects.length), {count: body.projects.length});
        }).catch(function (error) { status.textContent = error.message; });
    }
}
