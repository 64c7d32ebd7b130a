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
        var menu = UpstreamContributionProgressView.rowMenu(row.learner, container.getAttribute("data-uid"));
        UpstreamContributionProgressView.menuItem(menu, interpolate(gettext("Annotate %(username)s"),
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

        // How far beyond the project's usual wait (80 % of its recent contributions) it is.
        tr.appendChild(el("td", "upx-overdue-cell", row.overdue_days > 0 ?
            interpolate(ngettext("%(days)s day longer than usual", "%(days)s days longer than usual",
                                 Math.ceil(row.overdue_days)), {days: Math.ceil(row.overdue_days)}) :
            gettext("Not beyond the usual wait")));

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
        var restoreFocus = UpstreamContributionProgressView.keepRowFocus(tbody);
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
        UpstreamContributionProgressView.showCount(container, body, announcement);
        if (staffTools) { staffTools.rendered(body, state.filters); }
        // A dialog that changed a learner (the vouch dialog) asks for its row's menu to have
        // the focus again once the row is drawn anew.
        var focusLearner = container.getAttribute("data-focus-learner");
        if (focusLearner !== null) {
            container.removeAttribute("data-focus-learner");
            focusRowButton(focusLearner);
        }
    }

    var load = UpstreamContributionProgressView.loader(container, state, post, init.page_size,
                                                      function (body, announcement) {
        clearFieldErrors();
        render(body, announcement);
    }, function (error) {
        var field = error.body && error.body.field && filterForm.elements[error.body.field];
        if (field && field.nodeType === 1) { fieldError(field, error.message); return true; }
        return false;
    });

    // -- filter errors, next to their field ------------------------------------------
    var filterErrors = UpstreamContributionProgressView.fieldErrors(filterForm);
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
    UpstreamContributionProgressView.filtering(filterForm, state, load);
    UpstreamContributionProgressView.paging(container, state, load);

    if (init.staff && window.UpstreamContributionStaffTools) {
        staffTools = window.UpstreamContributionStaffTools(runtime, element, container, {
            post: post, el: el, formatTime: formatTime,
            reload: function (announcement) { return load(announcement); }
        });
    }
    UpstreamContributionProgressView.sortable(container, state, load);
    load();
};


/* One menu of actions per learner row (a menu button: Enter, Space or the arrows open it,
 * the arrows move, Escape closes it and gives the focus back). Its items are added by the
 * table and by the vouch dialog (``menuItem``); an item's action gets the menu's button,
 * where the focus returns after a dialog. */
UpstreamContributionProgressView.rowMenu = function (learner, uid) {
    "use strict";
    var el = UpstreamXBlockCommon.el;
    var menu = el("div", "upx-row-menu");
    var toggle = el("button", "upx-btn upx-btn-outline upx-row-menu-toggle",
        UpstreamXBlockCommon.interpolate(UpstreamXBlockCommon.gettext("Actions for %(username)s"),
                                         {username: learner.username}));
    var list = el("ul", "upx-row-menu-list");
    toggle.type = "button";
    toggle.setAttribute("aria-haspopup", "true");
    toggle.setAttribute("aria-expanded", "false");
    list.id = "upx-menu-" + uid + "-" + String(learner.id).replace(/[^A-Za-z0-9_-]/g, "_");
    list.setAttribute("role", "menu");
    list.setAttribute("aria-label", toggle.textContent);
    list.hidden = true;
    toggle.setAttribute("aria-controls", list.id);
    menu.appendChild(toggle);
    menu.appendChild(list);

    function items() { return Array.prototype.slice.call(list.querySelectorAll("[role=menuitem]")); }
    function open(focusLast) {
        list.hidden = false;
        toggle.setAttribute("aria-expanded", "true");
        var all = items();
        if (all.length) { all[focusLast ? all.length - 1 : 0].focus(); }
    }
    function close(focusToggle) {
        list.hidden = true;
        toggle.setAttribute("aria-expanded", "false");
        if (focusToggle) { toggle.focus(); }
    }
    toggle.addEventListener("click", function () { if (list.hidden) { open(false); } else { close(true); } });
    toggle.addEventListener("keydown", function (event) {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            open(event.key === "ArrowUp");
        }
    });
    list.addEventListener("keydown", function (event) {
        var all = items(), index = all.indexOf(document.activeElement);
        var moves = {ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: all.length - 1};
        if (moves.hasOwnProperty(event.key)) {
            event.preventDefault();
            all[(moves[event.key] + all.length) % all.length].focus();
        } else if (event.key === "Escape") {
            event.preventDefault();
            close(true);
        } else if (event.key === "Tab") {
            close(false);
        }
    });
    menu.addEventListener("focusout", function (event) {
        if (!menu.contains(event.relatedTarget)) { close(false); }
    });
    menu.upxClose = close;
    return menu;
};

UpstreamContributionProgressView.menuItem = function (menu, text, className, action) {
    "use strict";
    var list = menu.querySelector(".upx-row-menu-list");
    var toggle = menu.querySelector(".upx-row-menu-toggle");
    var holder = UpstreamXBlockCommon.el("li");
    var item = UpstreamXBlockCommon.el("button", "upx-row-menu-item " + (className || ""), text);
    holder.setAttribute("role", "none");
    item.type = "button";
    item.setAttribute("role", "menuitem");
    item.tabIndex = -1;
    item.addEventListener("click", function () {
        menu.upxClose(false);
        action(toggle);
    });
    holder.appendChild(item);
    list.appendChild(holder);
    return item;
};


/* Before the rows are drawn again (an answer, a dialog, a bulk job's end), the control of
 * a row that has the focus; the function returned gives the focus to that row's new control
 * once they are drawn: never to the page. A menu item goes back to its row's menu button
 * (the new row's menu is closed). */
UpstreamContributionProgressView.keepRowFocus = function (tbody) {
    "use strict";
    var active = document.activeElement;
    var row = active && tbody.contains(active) ? active.closest("tr[data-learner]") : null;
    var learner = row && row.getAttribute("data-learner"), className = row && active.className;
    return function restore() {
        var newRow = row && Array.prototype.filter.call(tbody.querySelectorAll("tr[data-learner]"),
            function (tr) { return tr.getAttribute("data-learner") === learner; })[0];
        var target = newRow && Array.prototype.filter.call(newRow.querySelectorAll("button, input, a, select"),
            function (node) { return node.className === className; })[0];
        if (target && target.closest("[hidden]")) { target = newRow.querySelector(".upx-row-menu-toggle"); }
        if (target) { target.focus(); }
    };
};


/* The filter form's values as the server's ``filters`` (the fields the form has). */
UpstreamContributionProgressView.readFilters = function (form) {
    "use strict";
    var filters = {};
    ["search", "forge", "repository"].forEach(function (name) {
        var value = form.elements[name].value.trim();
        if (value) { filters[name] = value; }
    });
    ["activity", "verdict", "state"].forEach(function (name) {
        var value = form.elements[name] ? form.elements[name].value : "";
        if (value) { filters[name] = value; }
    });
    ["waiting_days", "inactive_days"].forEach(function (name) {
        var value = form.elements[name].value;
        if (value !== "" && !isNaN(parseInt(value, 10))) { filters[name] = parseInt(value, 10); }
    });
    ["stuck", "has_annotations", "overdue"].forEach(function (name) {
        if (form.elements[name].checked) { filters[name] = true; }
    });
    return filters;
};

/* A filter's error under its field (whose visible label says which), the field marked
 * invalid and described by it; ``clear()`` takes every such error away. */
UpstreamContributionProgressView.fieldErrors = function (form) {
    "use strict";
    function all(selector) { return Array.prototype.slice.call(form.querySelectorAll(selector)); }
    function clear() {
        all(".upx-field-error").forEach(function (note) { note.parentNode.removeChild(note); });
        all("[aria-invalid]").forEach(function (field) {
            var hint = field.getAttribute("data-upx-hint");
            field.removeAttribute("aria-invalid");
            if (hint) { field.setAttribute("aria-describedby", hint); } else { field.removeAttribute("aria-describedby"); }
        });
    }
    function show(field, message) {
        clear();
        var note = UpstreamXBlockCommon.el("p", "upx-field-error", message);
        note.id = field.id + "-error";
        note.setAttribute("role", "alert");
        (field.closest(".upx-field") || field.parentNode).appendChild(note);
        var hint = field.getAttribute("aria-describedby") || "";
        field.setAttribute("data-upx-hint", hint);
        field.setAttribute("aria-invalid", "true");
        field.setAttribute("aria-describedby", (hint ? hint + " " : "") + note.id);
        field.focus();
    }
    return {show: show, clear: clear};
};

/* Sortable column headings: each press sorts by its column, again reverses it.
 * ``state.sort`` is read and written; ``onSort(announcement)`` loads the page. */
UpstreamContributionProgressView.sortable = function (container, state, onSort) {
    "use strict";
    var FIRST_DIRECTION = {username: "", verdict: "", waiting: "-", last_activity: "-", overdue: "-"};
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var headings = Array.prototype.slice.call(container.querySelectorAll("th[data-sort]"));
    function show() {
        var key = state.sort.replace(/^-/, ""), descending = state.sort.charAt(0) === "-";
        headings.forEach(function (th) {
            th.setAttribute("aria-sort", th.getAttribute("data-sort") === key
                ? (descending ? "descending" : "ascending") : "none");
        });
    }
    headings.forEach(function (th) {
        var button = th.querySelector(".upx-sort");
        button.addEventListener("click", function () {
            var key = th.getAttribute("data-sort");
            if (state.sort.replace(/^-/, "") === key) {
                state.sort = state.sort.charAt(0) === "-" ? key : "-" + key;
            } else {
                state.sort = FIRST_DIRECTION[key] + key;
            }
            state.page = 1;
            show();
            onSort(interpolate(gettext("Sorted by %(column)s, %(direction)s."), {column: button.textContent,
                direction: state.sort.charAt(0) === "-" ? gettext("descending") : gettext("ascending")}));
        });
    });
    show();
};


/* The page's count, pages and status line once a page of rows is drawn. */
UpstreamContributionProgressView.showCount = function (container, body, announcement) {
    "use strict";
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var count = interpolate(UpstreamXBlockCommon.ngettext(
        "%(count)s learner matches. Page %(page)s of %(pages)s.",
        "%(count)s learners match. Page %(page)s of %(pages)s.", body.count),
        {count: body.count, page: body.page, pages: body.pages});
    container.querySelector(".upx-page-label").textContent = count;
    container.querySelector(".upx-prev").disabled = body.page <= 1;
    container.querySelector(".upx-next").disabled = body.page >= body.pages;
    var line = body.count ? count : gettext("No learner matches these filters.");
    container.querySelector(".upx-status").textContent = announcement ? announcement + " " + line : line;
};

/* ``load(announcement)``: asks the server (``post("progress")``) for the page ``state``
 * says and hands the answer to ``draw(body, announcement)``. Only the answer to the latest
 * request is drawn: an earlier one (a sort clicked twice) that comes back later must not
 * overwrite it, nor rebuild rows under the keyboard focus. Until it is drawn, the status
 * line says the learners are loading: the count it said is the rows' about to be replaced.
 * An error goes to ``onError(error)`` first (true: it was shown), else under the table. */
UpstreamContributionProgressView.loader = function (container, state, post, pageSize, draw, onError) {
    "use strict";
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var errorLine = container.querySelector(".upx-error");
    var statusLine = container.querySelector(".upx-status");
    var latest = 0, drawn = "";  // the status line of the rows on the page
    return function load(announcement) {
        var ticket = ++latest;
        errorLine.textContent = "";
        container.setAttribute("aria-busy", "true");
        statusLine.textContent = gettext("Loading learners…");
        return post("progress", {page: state.page, page_size: pageSize, sort: state.sort,
                                 filters: state.filters})
            .then(function (body) {
                if (ticket === latest) { draw(body, announcement); drawn = statusLine.textContent; }
            })
            .catch(function (error) {
                if (ticket !== latest) { return; }
                statusLine.textContent = drawn;  // the rows left on the page are these
                if (onError(error)) { return; }
                errorLine.textContent = interpolate(gettext("Could not load the learners: %(message)s"),
                                                    {message: error.message});
            })
            .then(function () { if (ticket === latest) { container.removeAttribute("aria-busy"); } });
    };
};

/* The previous and next page buttons. */
UpstreamContributionProgressView.paging = function (container, state, load) {
    "use strict";
    container.querySelector(".upx-prev").addEventListener("click", function () {
        if (state.page > 1) { state.page -= 1; load(); }
    });
    container.querySelector(".upx-next").addEventListener("click", function () {
        if (state.page < state.pages) { state.page += 1; load(); }
    });
};

// The filter form of a table (the block's and the course-wide one): applying it starts again
// at page 1; resetting it reloads once the browser has cleared the fields.
UpstreamContributionProgressView.filtering = function (filterForm, state, load) {
    "use strict";
    filterForm.addEventListener("submit", function (event) {
        event.preventDefault();
        state.filters = UpstreamContributionProgressView.readFilters(filterForm);
        state.page = 1;
        load();
    });
    filterForm.addEventListener("reset", function () {
        state.filters = {};
        state.page = 1;
        window.setTimeout(load, 0);  // after the browser cleared the fields
    });
};
