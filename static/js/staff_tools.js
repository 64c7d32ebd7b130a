/* Course staff's tools on the progress table: row selection, bulk actions with a
 * confirmation that says how many, the job's progress, CSV download and import (with a
 * dry run), and the audit trail. Loaded beside progress.js, which hands it its helpers;
 * scoped to the block's element. Everything learners and forges wrote goes in with
 * textContent only.
 */
window.UpstreamContributionStaffTools = function (runtime, element, container, helpers) {
    "use strict";
    var post = helpers.post, el = helpers.el;
    var gettext = UpstreamXBlockCommon.gettext, ngettext = UpstreamXBlockCommon.ngettext;
    var interpolate = UpstreamXBlockCommon.interpolate;
    // The audit trail's actions, as its table names them.
    var ACTIONS = {
        accept: gettext("Accepted"), revoke: gettext("Revoked"), annotate: gettext("Annotated"),
        edit_annotation: gettext("Edited an annotation"), delete_annotation: gettext("Deleted an annotation"),
        check_now: gettext("Checked now"), bulk: gettext("Started a bulk action"),
        score_override: gettext("Overrode the score"), rescore: gettext("Rescored"),
        clear_state: gettext("Deleted the learner's state")
    };
    var selected = {};  // learner id -> true (the checked rows; only the ids are read)
    var wholeFilter = false;  // "select all N matching"
    var matching = 0, filters = {}, openedBy = null, auditState = {page: 1, pages: 1, filters: {}};

    function $(selector) { return container.querySelector(selector); }
    function $all(selector) { return Array.prototype.slice.call(container.querySelectorAll(selector)); }

    var selectionLine = $(".upx-selection");
    var selectAllButton = $(".upx-select-all");
    var pageBox = $(".upx-select-page");
    var bulkForm = $(".upx-bulk-form");
    var bulkError = $(".upx-bulk-error");
    var jobLine = $(".upx-job");
    var backdrop = $(".upx-dialog-backdrop");
    var dialog = $(".upx-dialog");
    var dialogText = $(".upx-dialog-text");
    var download = $(".upx-csv-download");
    var importForm = $(".upx-import-form");
    var importStatus = $(".upx-import-status");
    var auditForm = $(".upx-audit-filters");

    function selectedIds() { return Object.keys(selected); }
    function selectionCount() { return wholeFilter ? matching : selectedIds().length; }

    // -- selection ------------------------------------------------------------------
    function showSelection() {
        var onPage = selectedIds().length;
        selectionLine.textContent = wholeFilter
            ? interpolate(ngettext("The %(count)s learner matching the filters is selected.",
                                   "All %(count)s learners matching the filters are selected.", matching),
                          {count: matching})
            : interpolate(ngettext("%(count)s learner selected on this page.",
                                   "%(count)s learners selected on this page.", onPage), {count: onPage});
        selectAllButton.textContent = interpolate(ngettext("Select the %(count)s matching learner",
                                                           "Select all %(count)s matching", matching),
                                                  {count: matching});
        selectAllButton.setAttribute("aria-pressed", wholeFilter ? "true" : "false");
        $all(".upx-select-row").forEach(function (box) {
            box.checked = wholeFilter || selected.hasOwnProperty(box.value);
            box.disabled = wholeFilter;
        });
        var boxes = $all(".upx-select-row");
        pageBox.checked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
        pageBox.disabled = wholeFilter;
    }

    function selectCell(row) {
        var cell = el("td", "upx-select-col");
        var box = el("input", "upx-select-row");
        box.type = "checkbox";
        box.value = row.learner.id;
        box.id = "upx-select-" + container.getAttribute("data-uid") + "-" + row.learner.id;
        var label = el("label", "upx-sr-only", interpolate(gettext("Select %(username)s"), {username: row.learner.username}));
        label.htmlFor = box.id;
        box.addEventListener("change", function () {
            if (box.checked) { selected[row.learner.id] = true; } else { delete selected[row.learner.id]; }
            showSelection();
        });
        cell.appendChild(box);
        cell.appendChild(label);
        return cell;
    }

    function rendered(body, currentFilters) {
        if (JSON.stringify(currentFilters || {}) !== JSON.stringify(filters)) {
            selected = {};
            wholeFilter = false;
        }
        filters = JSON.parse(JSON.stringify(currentFilters || {}));
        matching = body.count;
        download.href = runtime.handlerUrl(element, "export_csv") +
            (Object.keys(filters).length ? (runtime.handlerUrl(element, "export_csv").indexOf("?") < 0 ? "?" : "&")
                + "filters=" + encodeURIComponent(JSON.stringify(filters)) : "");
        showSelection();
    }

    pageBox.addEventListener("change", function () {
        $all(".upx-select-row").forEach(function (box) {
            if (pageBox.checked) { selected[box.value] = true; } else { delete selected[box.value]; }
        });
        showSelection();
    });
    selectAllButton.addEventListener("click", function () { wholeFilter = !wholeFilter; showSelection(); });
    $(".upx-clear-selection").addEventListener("click", function () { selected = {}; wholeFilter = false; showSelection(); });

    // -- the bulk form and its confirmation ------------------------------------------------
    function showActionFields() {
        var action = bulkForm.elements.action.value;
        $(".upx-bulk-reason").hidden = !(action === "accept" || action === "revoke");
        $all(".upx-bulk-text").forEach(function (field) { field.hidden = action !== "annotate"; });
    }
    bulkForm.elements.action.addEventListener("change", showActionFields);
    showActionFields();

    function bulkPayload() {
        var action = bulkForm.elements.action.value;
        var payload = {action: action};
        if (wholeFilter) { payload.filters = filters; } else { payload.learner_ids = selectedIds(); }
        if (action === "accept" || action === "revoke") { payload.reason = bulkForm.elements.reason.value.trim(); }
        if (action === "annotate") {
            payload.text = bulkForm.elements.text.value.trim();
            payload.visibility = bulkForm.elements.visibility.value;
        }
        return payload;
    }

    function openDialog(opener) {
        openedBy = opener;
        var action = bulkForm.elements.action;
        var count = selectionCount();
        dialogText.textContent = interpolate(
            ngettext("%(action)s: %(count)s learner. This is recorded in the audit trail. Go ahead?",
                     "%(action)s: %(count)s learners. This is recorded in the audit trail. Go ahead?", count),
            {action: action.options[action.selectedIndex].text, count: count});
        backdrop.hidden = false;
        $(".upx-dialog-title").focus();
    }

    function closeDialog() {
        backdrop.hidden = true;
        if (openedBy) { openedBy.focus(); }
        openedBy = null;
    }

    bulkForm.addEventListener("submit", function (event) {
        event.preventDefault();
        bulkError.textContent = "";
        var payload = bulkPayload();
        if (!selectionCount()) { bulkError.textContent = gettext("Select learners first."); return; }
        if ((payload.action === "accept" || payload.action === "revoke") && !payload.reason) {
            bulkError.textContent = gettext("Give a reason."); bulkForm.elements.reason.focus(); return;
        }
        if (payload.action === "annotate" && !payload.text) {
            bulkError.textContent = gettext("Write the annotation's text."); bulkForm.elements.text.focus(); return;
        }
        openDialog($(".upx-bulk-start"));
    });
    $(".upx-dialog-cancel").addEventListener("click", closeDialog);
    backdrop.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { event.preventDefault(); closeDialog(); return; }
        if (event.key === "Tab") {  // keep the focus inside the dialog while it is open
            var stops = [$(".upx-dialog-confirm"), $(".upx-dialog-cancel")];
            var last = stops[stops.length - 1];
            if (event.shiftKey && (document.activeElement === stops[0] || document.activeElement === $(".upx-dialog-title"))) {
                event.preventDefault(); last.focus();
            } else if (!event.shiftKey && document.activeElement === last) {
                event.preventDefault(); stops[0].focus();
            }
        }
    });
    $(".upx-dialog-confirm").addEventListener("click", function () {
        var payload = bulkPayload();
        closeDialog();
        jobLine.textContent = gettext("Starting…");
        post("bulk", payload).then(function (body) { follow(body.job); })
            .catch(function (error) { bulkError.textContent = error.message; jobLine.textContent = ""; });
    });

    // ``template`` (ngettext's form for ``count``) with its "%(count)s" filled.
    function counted(template, count) {
        return interpolate(template, {count: count});
    }

    function jobText(progress) {
        var counts = {
            learners: counted(ngettext("%(count)s learner",
                                   "%(count)s learners", progress.count), progress.count),
            changed: counted(ngettext("%(count)s changed",
                                   "%(count)s changed", progress.changed), progress.changed),
            skipped: counted(ngettext("%(count)s already so",
                                   "%(count)s already so", progress.skipped), progress.skipped),
            failed: counted(ngettext("%(count)s failed",
                                   "%(count)s failed", progress.failed), progress.failed),
            done: progress.done
        };
        var line = progress.status === "done"
            ? interpolate(gettext("Done: %(learners)s, %(changed)s, %(skipped)s, %(failed)s."), counts)
            : interpolate(gettext("Working: %(done)s of %(learners)s done, %(changed)s, %(skipped)s."), counts);
        if (progress.checked !== undefined) {
            line += " " + counted(ngettext("%(count)s contribution checked on the forge so far.",
                                   "%(count)s contributions checked on the forge so far.", progress.checked), progress.checked);
        }
        return line;
    }

    function follow(job) {
        post("bulk_job", {job: job}).then(function (progress) {
            jobLine.textContent = jobText(progress);
            if (progress.status === "done") {
                selected = {};
                wholeFilter = false;
                helpers.reload();
                loadAudit();
            } else {
                window.setTimeout(function () { follow(job); }, 1000);
            }
        }).catch(function (error) { bulkError.textContent = error.message; });
    }

    // -- CSV import ---------------------------------------------------------------------
    function fillRows(tbody, rows) {
        while (tbody.firstChild) { tbody.removeChild(tbody.firstChild); }
        rows.forEach(function (cells) {
            var tr = el("tr");
            cells.forEach(function (cell, index) {
                var td = el(index === 0 ? "th" : "td", null, cell);
                if (index === 0) { td.scope = "row"; }
                tr.appendChild(td);
            });
            tbody.appendChild(tr);
        });
    }

    function importText(body, dryRun) {
        var errors = body.errors.length;
        if (!body.applied && !dryRun) {
            return counted(ngettext("Nothing was imported: %(count)s line has errors. Fix it, or apply the good lines only.",
                                   "Nothing was imported: %(count)s lines have errors. Fix them, or apply the good lines only.", errors), errors);
        }
        if (body.applied) {
            return interpolate(gettext("Imported: %(changes)s, %(errors)s."), {
                changes: counted(ngettext("%(count)s change made",
                                   "%(count)s changes made", body.changes.length), body.changes.length),
                errors: counted(ngettext("%(count)s line with errors skipped",
                                   "%(count)s lines with errors skipped", errors), errors)
            });
        }
        return interpolate(gettext("Dry run: %(changes)s, %(errors)s. Nothing was changed."), {
            changes: counted(ngettext("%(count)s change",
                                   "%(count)s changes", body.changes.length), body.changes.length),
            errors: counted(ngettext("%(count)s error",
                                   "%(count)s errors", errors), errors)
        });
    }

    importForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var dryRun = !(event.submitter && event.submitter.value === "apply");
        var file = importForm.elements.file.files[0];
        if (!file) { importStatus.textContent = gettext("Choose a CSV file first."); importForm.elements.file.focus(); return; }
        if (file.size > 2 * 1024 * 1024) { importStatus.textContent = gettext("The file is larger than an import takes (2 MB, 5000 lines): split it."); return; }
        importStatus.textContent = gettext("Checking the file…");
        file.text().then(function (csv) {
            return post("import_csv", {csv: csv, dry_run: dryRun, apply_valid: importForm.elements.apply_valid.checked});
        }).then(function (body) {
            $(".upx-import-results").hidden = false;
            fillRows($(".upx-import-changes tbody"), body.changes.map(function (c) {
                return [String(c.line), c.username, c.action, c.reason, c.before, c.no_change ? gettext("no change") : c.after];
            }));
            fillRows($(".upx-import-errors tbody"), body.errors.map(function (e) {
                return [String(e.line), e.column, e.message];
            }));
            importStatus.textContent = importText(body, dryRun);
            if (body.applied) { helpers.reload(); loadAudit(); }
        }).catch(function (error) { importStatus.textContent = error.message; });
    });

    // -- the audit trail ----------------------------------------------------------------
    function loadAudit() {
        return post("audit", {page: auditState.page, page_size: 10, filters: auditState.filters}).then(function (body) {
            auditState.pages = body.pages;
            auditState.page = body.page;
            fillRows($(".upx-audit-table tbody"), body.rows.map(function (row) {
                return [helpers.formatTime(row.at), row.actor.username, ACTIONS[row.action] || row.action,
                        row.learner_id, row.reason,
                        row.verdict_before || row.verdict_after ? (row.verdict_before || "–") + " → " + (row.verdict_after || "–") : ""];
            }));
            $(".upx-audit-prev").disabled = body.page <= 1;
            $(".upx-audit-next").disabled = body.page >= body.pages;
            $(".upx-audit-status").textContent = interpolate(
                ngettext("%(count)s action recorded. Page %(page)s of %(pages)s.",
                         "%(count)s actions recorded. Page %(page)s of %(pages)s.", body.count), body);
        }).catch(function (error) { $(".upx-audit-status").textContent = error.message; });
    }

    auditForm.addEventListener("submit", function (event) {
        event.preventDefault();
        var values = {};
        ["action", "actor", "search"].forEach(function (name) {
            var value = auditForm.elements[name].value.trim();
            if (value) { values[name] = value; }
        });
        auditState = {page: 1, pages: 1, filters: values};
        loadAudit();
    });
    $(".upx-audit-prev").addEventListener("click", function () { if (auditState.page > 1) { auditState.page -= 1; loadAudit(); } });
    $(".upx-audit-next").addEventListener("click", function () { if (auditState.page < auditState.pages) { auditState.page += 1; loadAudit(); } });

    loadAudit();
    // A job left unfinished (the page was closed, no worker runs) resumes when staff return.
    post("bulk_job", {}).then(function (progress) {
        if (progress.job !== null && progress.job !== undefined) { follow(progress.job); }
    }).catch(function () { /* nothing to resume */ });
    return {selectCell: selectCell, rendered: rendered};
};
