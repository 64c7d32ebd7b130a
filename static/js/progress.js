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
    var state = {page: 1, sort: init.sort || "-waiting", filters: {}, rows: [], pages: 1};
    var editing = null;  // {learner, note, opener}
    var staffTools = null;  // static/js/staff_tools.js, for course staff (see the wiring below)

    function $(selector) { return container.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(container.querySelectorAll(selector)); }

    var summary = $(".upx-summary");
    var errorLine = $(".upx-error");
    var tbody = $(".upx-table tbody");
    var filterForm = $(".upx-filters");
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

    // -- rendering -------------------------------------------------------------
    function renderSummary(counts) {
        summary.textContent = interpolate(gettext("Registered: %(registered)s · In progress: %(pending)s · Completed: %(accepted)s · Need a new contribution: %(rejected)s · Stuck: %(stuck)s"), counts || {});
    }

    var ICONS = {passed: "\u2713", failed: "\u2717", waiting: "\u25CB"};

    // A check says its outcome in a word and an icon, not by its colour alone.
    function checkItem(check) {
        var item = el("li", "upx-check upx-check-" + check.outcome);
        item.appendChild(el("span", "upx-check-icon", ICONS[check.outcome] || "\u2022"))
            .setAttribute("aria-hidden", "true");
        item.appendChild(el("span", "upx-check-word", check.outcome_label + ":"));
        item.appendChild(document.createTextNode(" " + check.reason));
        return item;
    }

    function contributionItem(contribution) {
        var item = el("li", "upx-contribution upx-verdict-" + contribution.verdict);
        var title = contribution.title || gettext("(title not known yet)");
        if (contribution.described) {  // no address to show: what the mentor described
            item.appendChild(el("span", "upx-contribution-title", title));
            item.appendChild(el("span", "upx-badge", gettext("Described by a mentor")));
        } else {
            item.appendChild(UpstreamXBlockCommon.externalLink("upx-contribution-link",
                                                               contribution.web_url, title));
        }
        item.appendChild(el("span", "upx-badge upx-state-" + contribution.state, contribution.state_label));
        if (contribution.verdict_label) {
            item.appendChild(el("span", "upx-badge upx-verdict-" + contribution.verdict,
                                contribution.verdict_label));
        }
        if (contribution.repository) {
            item.appendChild(el("span", "upx-repo", contribution.repository + " #" + contribution.number));
        }
        var checks = el("ul", "upx-checks-list");
        (contribution.checks || []).forEach(function (check) { checks.appendChild(checkItem(check)); });
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
        var menu = UpstreamXBlockTables.rowMenu(row.learner, container.getAttribute("data-uid"));
        UpstreamXBlockTables.menuItem(menu, interpolate(gettext("Annotate %(username)s"),
            {username: row.learner.username}), "upx-annotate-open",
            function (opener) { openAnnotate(row, null, opener); });
        who.appendChild(menu);
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

        tr.appendChild(UpstreamXBlockTables.overdueCell(row));

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
        var restoreFocus = UpstreamXBlockTables.keepRowFocus(tbody);
        state.rows = body.rows;
        state.pages = body.pages;
        state.page = body.page;
        renderSummary(body.summary);
        if (editing) { closeAnnotate(false); }
        while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
        body.rows.forEach(function (row) { tbody.appendChild(renderRow(row)); });
        // The other modules add their controls to the new rows now (vouch.js), then the focus
        // goes back where it was.
        container.dispatchEvent(new CustomEvent("upx-rows", {bubbles: true}));
        restoreFocus();
        UpstreamXBlockTables.showCount(container, body, announcement);
        if (staffTools) { staffTools.rendered(body, state.filters); }
        // A dialog that changed a learner (the vouch dialog) asks for its row's menu to have
        // the focus again once the row is drawn anew.
        var focusLearner = container.getAttribute("data-focus-learner");
        if (focusLearner !== null) {
            container.removeAttribute("data-focus-learner");
            focusRowButton(focusLearner);
        }
    }

    var load = UpstreamXBlockTables.loader(container, state, post, init.page_size,
                                                      function (body, announcement) {
        clearFieldErrors();
        render(body, announcement);
    }, function (error) {
        var field = error.body && error.body.field && filterForm.elements[error.body.field];
        if (field && field.nodeType === 1) { fieldError(field, error.message); return true; }
        return false;
    });

    // -- filter errors, next to their field ------------------------------------------
    var filterErrors = UpstreamXBlockTables.fieldErrors(filterForm);
    function fieldError(field, message) { filterErrors.show(field, message); }
    function clearFieldErrors() { filterErrors.clear(); }

    // -- annotations: the form opens under the learner's row -----------------------------
    function rowOf(learnerId) {
        return $all("tr[data-learner]").filter(function (tr) {
            return tr.getAttribute("data-learner") === learnerId;
        })[0];
    }

    function openAnnotate(row, note, opener) {
        if (editing) { closeAnnotate(false); }
        editing = {learner: row.learner, note: note, opener: opener};
        annotateError.textContent = "";
        annotateTitle.textContent = interpolate(gettext("Annotation for %(username)s"), {username: row.learner.username});
        var urlSelect = annotateForm.elements.url;
        while (urlSelect.firstChild) { urlSelect.removeChild(urlSelect.firstChild); }
        var general = el("option", null, gettext("The learner's work in general"));
        general.value = "";
        urlSelect.appendChild(general);
        row.contributions.forEach(function (c) {
            var option = el("option", null, (c.title || gettext("(title not known yet)")) +
                            (c.described ? "" : " — " + c.url));
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
        var learnerRow = rowOf(row.learner.id);
        if (learnerRow) {  // the form under its row, across the table
            var formRow = el("tr", "upx-annotate-row");
            var cell = el("td");
            cell.colSpan = learnerRow.children.length;
            formRow.appendChild(cell);
            learnerRow.parentNode.insertBefore(formRow, learnerRow.nextSibling);
            cell.appendChild(annotateSection);
        }
        annotateSection.hidden = false;
        annotateForm.elements.text.focus();
    }

    function closeAnnotate(focusOpener) {
        annotateSection.hidden = true;
        var formRow = annotateSection.parentNode && annotateSection.parentNode.parentNode;
        container.appendChild(annotateSection);  // back in place, out of the rows
        if (formRow && formRow.className === "upx-annotate-row" && formRow.parentNode) {
            formRow.parentNode.removeChild(formRow);
        }
        var learnerId = editing && editing.learner.id;
        editing = null;
        if (focusOpener && learnerId !== null) { focusRowButton(learnerId); }
    }

    function focusRowButton(learnerId) {
        var target = rowOf(learnerId);
        var button = target && target.querySelector(".upx-row-menu-toggle");
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
    // A mentor's choice about the weekly digest (the user's choice for every block's emails).
    var emailsToggle = $(".upx-emails-toggle"), emailsStatus = $(".upx-emails-status");
    if (emailsToggle) {
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
    }

    UpstreamXBlockTables.filtering(filterForm, state, load);
    UpstreamXBlockTables.paging(container, state, load);

    if (init.staff && window.UpstreamContributionStaffTools) {
        staffTools = window.UpstreamContributionStaffTools(runtime, element, container, {
            post: post, el: el, formatTime: formatTime,
            reload: function (announcement) { return load(announcement); }
        });
    }
    UpstreamXBlockTables.sortable(container, state, load);
    load();
};
