/* The mentors' and staff's progress table of one upstream_contribution block.
 *
 * Scoped to its own element, so several blocks work in one unit. Everything
 * learners and forges wrote (user names, titles, annotations) is written with
 * textContent only. The server pages, sorts and filters; this module only asks
 * for one page at a time and renders it.
 */
function UpstreamContributionProgressView(runtime, element) {
    "use strict";
    UpstreamContributionProgressView.table(runtime, element);
    UpstreamContributionVouchDialog(runtime, element);  // vouch.js: the dialog beside it
}

/* The table, its filters, its summary and the annotation form. */
UpstreamContributionProgressView.table = function (runtime, element) {
    "use strict";
    var root = UpstreamXBlockCommon.rootOf(element);
    var container = root.querySelector(".upstream-progress");
    var init = JSON.parse(container.getAttribute("data-upstream-init") || "{}");
    // Each column's first direction when its heading is pressed.
    var FIRST_DIRECTION = {username: "", verdict: "", waiting: "-", last_activity: "-"};
    var state = {page: 1, sort: init.sort || "-waiting", filters: {}, rows: [], pages: 1};
    var editing = null;  // {learner, note, opener}
    var staffTools = null;  // static/js/staff_tools.js, for course staff (see the wiring below)

    function $(selector) { return container.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(container.querySelectorAll(selector)); }

    var summary = $(".upx-summary");
    var statusLine = $(".upx-status");
    var errorLine = $(".upx-error");
    var tbody = $(".upx-table tbody");
    var filterForm = $(".upx-filters");
    var pageLabel = $(".upx-page-label");
    var prevButton = $(".upx-prev");
    var nextButton = $(".upx-next");
    var annotateSection = $(".upx-annotate");
    var annotateForm = $(".upx-annotate-form");
    var annotateTitle = $(".upx-annotate-title");
    var annotateError = $(".upx-annotate-error");

    var gettext = UpstreamXBlockCommon.gettext, ngettext = UpstreamXBlockCommon.ngettext;
    var interpolate = UpstreamXBlockCommon.interpolate;
    var post = UpstreamXBlockCommon.poster(runtime, element, gettext("Could not reach the course server."));
    var el = UpstreamXBlockCommon.el;

    function formatTime(iso) {
        if (!iso) { return gettext("never"); }
        var date = new Date(iso);
        return isNaN(date.getTime()) ? iso : date.toLocaleString();
    }

    // -- filters ------------------------------------------------------------
    function readFilters() {
        var filters = {};
        ["search", "forge", "repository"].forEach(function (name) {
            var value = filterForm.elements[name].value.trim();
            if (value) { filters[name] = value; }
        });
        ["verdict", "state"].forEach(function (name) {
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

    // -- sorting -------------------------------------------------------------
    function showSort() {
        var key = state.sort.replace(/^-/, "");
        var descending = state.sort.charAt(0) === "-";
        $all("th[data-sort]").forEach(function (th) {
            th.setAttribute("aria-sort", th.getAttribute("data-sort") === key
                ? (descending ? "descending" : "ascending") : "none");
        });
    }

    $all("th[data-sort] .upx-sort").forEach(function (button) {
        button.addEventListener("click", function () {
            var key = button.parentNode.getAttribute("data-sort");
            var current = state.sort.replace(/^-/, "");
            if (current === key) {
                state.sort = state.sort.charAt(0) === "-" ? key : "-" + key;
            } else {
                state.sort = FIRST_DIRECTION[key] + key;
            }
            state.page = 1;
            showSort();
            var descending = state.sort.charAt(0) === "-";
            load(interpolate(gettext("Sorted by %(column)s, %(direction)s."), {column: button.textContent,
                direction: descending ? gettext("descending") : gettext("ascending")}));
        });
    });

    // -- rendering -------------------------------------------------------------
    function renderSummary(counts) {
        summary.textContent = interpolate(gettext("Registered: %(registered)s · In progress: %(pending)s · Completed: %(accepted)s · Need a new contribution: %(rejected)s · Stuck: %(stuck)s"), counts || {});
    }

    function contributionItem(contribution) {
        var item = el("li", "upx-contribution upx-verdict-" + contribution.verdict);
        var title = contribution.title || gettext("(title not known yet)");
        item.appendChild(UpstreamXBlockCommon.externalLink("upx-contribution-link", contribution.web_url,
                                                           title));
        item.appendChild(el("span", "upx-badge upx-state-" + contribution.state, contribution.state_label));
        item.appendChild(el("span", "upx-repo", contribution.repository + " #" + contribution.number));
        var checks = el("ul", "upx-checks-list");
        (contribution.checks || []).forEach(function (check) {
            checks.appendChild(el("li", "upx-check-" + check.outcome, check.reason));
        });
        if (checks.childNodes.length) { item.appendChild(checks); }
        if (contribution.error) { item.appendChild(el("p", "upx-item-error", contribution.error.message)); }
        return item;
    }

    function annotationItem(row, note) {
        var item = el("li", "upx-note upx-note-" + note.visibility);
        var head = el("p", "upx-note-head");
        head.appendChild(el("span", "upx-badge upx-vis-" + note.visibility,
            note.visibility === "mentors" ? gettext("Mentors only") : gettext("For the learner")));
        if (note.tag_label) { head.appendChild(el("span", "upx-badge upx-tag", note.tag_label)); }
        head.appendChild(el("span", "upx-note-by", interpolate(gettext("%(author)s, %(date)s"), {author: note.author,
            date: formatTime(note.created_at)}) + (note.edited_at ? " " + gettext("(edited)") : "")));
        item.appendChild(head);
        item.appendChild(el("p", "upx-note-text", note.text));
        if (note.url) { item.appendChild(el("p", "upx-note-url", note.url)); }
        if (note.can_change) {
            var actions = el("p", "upx-note-actions");
            var edit = el("button", "upx-btn upx-btn-link", gettext("Edit"));
            edit.type = "button";
            edit.setAttribute("aria-label", interpolate(gettext("Edit this annotation by %(author)s"), {author: note.author}));
            edit.addEventListener("click", function () { openAnnotate(row, note, edit); });
            var remove = el("button", "upx-btn upx-btn-link upx-danger", gettext("Delete"));
            remove.type = "button";
            remove.setAttribute("aria-label", interpolate(gettext("Delete this annotation by %(author)s"), {author: note.author}));
            remove.addEventListener("click", function () { deleteNote(row, note); });
            actions.appendChild(edit);
            actions.appendChild(remove);
            item.appendChild(actions);
        }
        return item;
    }

    function renderRow(row) {
        var tr = el("tr", row.stuck ? "upx-row upx-row-stuck" : "upx-row");
        tr.setAttribute("data-learner", row.learner.id);
        if (staffTools) { tr.appendChild(staffTools.selectCell(row)); }
        var who = el("th", "upx-learner");
        who.scope = "row";
        who.appendChild(el("span", "upx-username", row.learner.username));
        var annotate = el("button", "upx-btn upx-btn-outline upx-annotate-open",
            interpolate(gettext("Annotate %(username)s"), {username: row.learner.username}));
        annotate.type = "button";
        annotate.addEventListener("click", function () { openAnnotate(row, null, annotate); });
        who.appendChild(annotate);
        tr.appendChild(who);

        var progress = el("td", "upx-progress-cell");
        progress.appendChild(el("span", "upx-badge upx-verdict upx-verdict-" + row.verdict, row.verdict_label));
        if (row.stuck) { progress.appendChild(el("p", "upx-stuck", interpolate(gettext("Stuck: %(reason)s"), {reason: row.stuck_reason}))); }
        if (row.award) { progress.appendChild(el("p", "upx-award", interpolate(gettext("Awarded on %(date)s"), {date: formatTime(row.award.awarded_at)}))); }
        tr.appendChild(progress);

        var contributions = el("td", "upx-contributions-cell");
        var list = el("ul", "upx-contributions");
        row.contributions.forEach(function (c) { list.appendChild(contributionItem(c)); });
        contributions.appendChild(list);
        tr.appendChild(contributions);

        var waiting = el("td", "upx-waiting-cell");
        waiting.appendChild(el("span", null, row.waiting_days === null ? gettext("Not waiting")
            : interpolate(ngettext("Waiting %(days)s day", "Waiting %(days)s days", row.waiting_days),
                          {days: row.waiting_days})));
        if (row.waiting_on.length) {
            var on = el("ul", "upx-waiting-on");
            row.waiting_on.forEach(function (reason) { on.appendChild(el("li", null, reason)); });
            waiting.appendChild(on);
        }
        tr.appendChild(waiting);

        tr.appendChild(el("td", "upx-activity-cell", formatTime(row.last_activity)));

        var notes = el("td", "upx-notes-cell");
        if (row.annotations.length) {
            var noteList = el("ul", "upx-notes");
            row.annotations.forEach(function (note) { noteList.appendChild(annotationItem(row, note)); });
            notes.appendChild(noteList);
        } else {
            notes.appendChild(el("span", "upx-muted", gettext("No annotations.")));
        }
        tr.appendChild(notes);
        return tr;
    }

    function render(body, announcement) {
        state.rows = body.rows;
        state.pages = body.pages;
        state.page = body.page;
        renderSummary(body.summary);
        while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
        body.rows.forEach(function (row) { tbody.appendChild(renderRow(row)); });
        var count = interpolate(ngettext("%(count)s learner matches. Page %(page)s of %(pages)s.",
                                         "%(count)s learners match. Page %(page)s of %(pages)s.",
                                         body.count),
                                {count: body.count, page: body.page, pages: body.pages});
        pageLabel.textContent = count;
        prevButton.disabled = body.page <= 1;
        nextButton.disabled = body.page >= body.pages;
        var line = body.count ? count : gettext("No learner matches these filters.");
        statusLine.textContent = announcement ? announcement + " " + line : line;
        if (staffTools) { staffTools.rendered(body, state.filters); }
    }

    // Only the answer to the latest request is drawn: an earlier one (a sort clicked twice)
    // that comes back later must not overwrite it, nor rebuild rows under the keyboard focus.
    var latestLoad = 0;

    function load(announcement) {
        var ticket = ++latestLoad;
        errorLine.textContent = "";
        container.setAttribute("aria-busy", "true");
        return post("progress", {page: state.page, page_size: init.page_size, sort: state.sort,
                                 filters: state.filters})
            .then(function (body) { if (ticket === latestLoad) { render(body, announcement); } })
            .catch(function (error) {
                if (ticket === latestLoad) { errorLine.textContent = interpolate(gettext("Could not load the learners: %(message)s"), {message: error.message}); }
            })
            .then(function () { if (ticket === latestLoad) { container.removeAttribute("aria-busy"); } });
    }

    // -- annotations -------------------------------------------------------------
    function openAnnotate(row, note, opener) {
        editing = {learner: row.learner, note: note, opener: opener};
        annotateError.textContent = "";
        annotateTitle.textContent = interpolate(gettext("Annotation for %(username)s"), {username: row.learner.username});
        var urlSelect = annotateForm.elements.url;
        while (urlSelect.firstChild) { urlSelect.removeChild(urlSelect.firstChild); }
        var general = el("option", null, gettext("The learner's work in general"));
        general.value = "";
        urlSelect.appendChild(general);
        row.contributions.forEach(function (c) {
            var option = el("option", null, (c.title || gettext("(title not known yet)")) + " — " + c.url);
            option.value = c.url;
            urlSelect.appendChild(option);
        });
        annotateForm.elements.text.value = note ? note.text : "";
        annotateForm.elements.tag.value = note ? (note.tag || "") : "";
        urlSelect.value = note ? (note.url || "") : "";
        urlSelect.disabled = !!note;
        var visibility = note ? note.visibility : "learner";
        Array.prototype.forEach.call(annotateForm.elements.visibility, function (radio) {
            radio.checked = radio.value === visibility;
        });
        annotateSection.hidden = false;
        annotateForm.elements.text.focus();
    }

    function closeAnnotate(focusOpener) {
        annotateSection.hidden = true;
        var learnerId = editing && editing.learner.id;
        editing = null;
        if (focusOpener && learnerId !== null) { focusRowButton(learnerId); }
    }

    function focusRowButton(learnerId) {
        var target = $all("tr[data-learner]").filter(function (tr) {
            return tr.getAttribute("data-learner") === learnerId;
        })[0];
        var button = target && target.querySelector(".upx-annotate-open");
        if (button) { button.focus(); }
    }

    annotateForm.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!editing) { return; }
        var current = editing;
        var visibility = annotateForm.querySelector("input[name=visibility]:checked").value;
        var payload = {learner_id: current.learner.id, text: annotateForm.elements.text.value,
                       visibility: visibility, tag: annotateForm.elements.tag.value};
        var handler = "annotate";
        if (current.note) {
            handler = "edit_annotation";
            payload.id = current.note.id;
        } else if (annotateForm.elements.url.value) {
            payload.url = annotateForm.elements.url.value;
        }
        post(handler, payload).then(function () {
            closeAnnotate(false);
            return load(interpolate(gettext("Annotation saved for %(username)s."), {username: current.learner.username}));
        }).then(function () { focusRowButton(current.learner.id); })
          .catch(function (error) { annotateError.textContent = error.message; });
    });

    $(".upx-annotate-cancel").addEventListener("click", function () { closeAnnotate(true); });
    annotateSection.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { closeAnnotate(true); }
    });

    function deleteNote(row, note) {
        if (!window.confirm(gettext("Delete this annotation?"))) { return; }
        post("delete_annotation", {learner_id: row.learner.id, id: note.id})
            .then(function () { return load(gettext("Annotation deleted.")); })
            .then(function () { focusRowButton(row.learner.id); })
            .catch(function (error) { errorLine.textContent = error.message; });
    }

    // -- wiring -----------------------------------------------------------------
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
    prevButton.addEventListener("click", function () {
        if (state.page > 1) { state.page -= 1; load(); }
    });
    nextButton.addEventListener("click", function () {
        if (state.page < state.pages) { state.page += 1; load(); }
    });

    if (init.staff && window.UpstreamContributionStaffTools) {
        staffTools = window.UpstreamContributionStaffTools(runtime, element, container, {
            post: post, el: el, formatTime: formatTime,
            reload: function (announcement) { return load(announcement); }
        });
    }
    statusLine.textContent = gettext("Loading learners…");
    showSort();
    load();
};
