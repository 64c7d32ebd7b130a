/* The parts the learner tables share: the block's progress table (progress.js) and the
 * course-wide workspace (workspace.js). Row menus, focus kept on a row across a redraw,
 * the filter form (its values, its field errors, apply and reset), sortable headings,
 * paging, the count line and the loader that draws only the latest answer.
 *
 * Every part is scoped to the element it is handed; text goes in with textContent only.
 */
var UpstreamXBlockTables = {};

/* One menu of actions per learner row (a menu button: Enter, Space or the arrows open it,
 * the arrows move, Escape closes it and gives the focus back). Its items are added by the
 * table and by the vouch dialog (``menuItem``); an item's action gets the menu's button,
 * where the focus returns after a dialog. */
UpstreamXBlockTables.rowMenu = function (learner, uid) {
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

UpstreamXBlockTables.menuItem = function (menu, text, className, action) {
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
UpstreamXBlockTables.keepRowFocus = function (tbody) {
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
UpstreamXBlockTables.readFilters = function (form) {
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
UpstreamXBlockTables.fieldErrors = function (form) {
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
UpstreamXBlockTables.sortable = function (container, state, onSort) {
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
UpstreamXBlockTables.showCount = function (container, body, announcement) {
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
UpstreamXBlockTables.loader = function (container, state, post, pageSize, draw, onError) {
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
UpstreamXBlockTables.paging = function (container, state, load) {
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
UpstreamXBlockTables.filtering = function (filterForm, state, load) {
    "use strict";
    filterForm.addEventListener("submit", function (event) {
        event.preventDefault();
        state.filters = UpstreamXBlockTables.readFilters(filterForm);
        state.page = 1;
        load();
    });
    filterForm.addEventListener("reset", function () {
        state.filters = {};
        state.page = 1;
        window.setTimeout(load, 0);  // after the browser cleared the fields
    });
};

/* A row's cell saying how far beyond its project's usual wait (80 % of the project's recent
 * contributions took less) the learner's most overdue contribution is. */
UpstreamXBlockTables.overdueCell = function (row) {
    "use strict";
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    var days = Math.ceil(row.overdue_days);
    return UpstreamXBlockCommon.el("td", "upx-overdue-cell", row.overdue_days > 0
        ? interpolate(UpstreamXBlockCommon.ngettext("%(days)s day longer than usual",
                                                    "%(days)s days longer than usual", days), {days: days})
        : gettext("Not beyond the usual wait"));
};
