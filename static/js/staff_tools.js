/* Course staff's tools on the progress table: row selection, bulk actions with a
 * confirmation that says how many, the job's progress, CSV export (a background job, then
 * a link to the file) and import of the exported file (with a dry run), and the audit
 * trail. Loaded beside progress.js (or the course workspace's workspace.js), which hands it
 * its helpers (``post(name, payload)`` reaches the block's handler or the workspace's
 * endpoint of that name); scoped to its element. Everything learners and forges wrote goes
 * in with textContent only.
 */
window.UpstreamContributionStaffTools = function (runtime, element, container, helpers) {
    "use strict";
    var post = helpers.post, el = helpers.el;
    var gettext = UpstreamXBlockCommon.gettext, ngettext = UpstreamXBlockCommon.ngettext;
    var interpolate = UpstreamXBlockCommon.interpolate;
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
    var exportButton = $(".upx-export-start");
    var exportStatus = $(".upx-export-status");
    var exportReady = $(".upx-export-ready");
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
        if (bulkForm.elements.activity) { payload.activity = bulkForm.elements.activity.value; }
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
        if (file.size > 8 * 1024 * 1024) { importStatus.textContent = gettext("The file is larger than an import takes (8 MB, 5000 lines with an action): split it."); return; }
        importStatus.textContent = gettext("Checking the file…");
        file.text().then(function (csv) {
            return post("import_csv", {csv: csv, dry_run: dryRun, apply_valid: importForm.elements.apply_valid.checked});
        }).then(function (body) {
            $(".upx-import-results").hidden = false;
            fillRows($(".upx-import-changes tbody"), body.changes.map(function (c) {
                return [String(c.line), c.username, c.action_label, c.reason, c.before_label,
                        c.no_change ? gettext("no change") : c.after_label];
            }));
            fillRows($(".upx-import-errors tbody"), body.errors.map(function (e) {
                return [String(e.line), e.column, e.message];
            }));
            importStatus.textContent = importText(body, dryRun) + (body.unchanged ? " " + counted(ngettext(
                "%(count)s line without an action was left as it is.",
                "%(count)s lines without an action were left as they are.", body.unchanged), body.unchanged) : "");
            if (body.applied) { helpers.reload(); loadAudit(); }
        }).catch(function (error) { importStatus.textContent = error.message; });
    });

    // -- CSV export: a background job, then a link to its file ----------------------------
    function followExport(exportId) {
        post("export_job", {export: exportId}).then(function (progress) {
            if (progress.status === "done") {
                exportStatus.textContent = counted(ngettext(
                    "The file is ready: %(count)s contribution.",
                    "The file is ready: %(count)s contributions.", progress.rows), progress.rows);
                var link = exportReady.querySelector("a");
                link.href = progress.download_url;
                link.setAttribute("download", progress.filename);
                exportReady.hidden = false;
                exportButton.disabled = false;
                link.focus();
            } else if (progress.status === "failed") {
                exportStatus.textContent = gettext("The export failed. Try again, or tell the site's operators.");
                exportButton.disabled = false;
            } else {
                exportStatus.textContent = counted(ngettext(
                    "Writing the file: %(count)s contribution so far…",
                    "Writing the file: %(count)s contributions so far…", progress.rows), progress.rows);
                window.setTimeout(function () { followExport(exportId); }, 1000);
            }
        }).catch(function (error) { exportStatus.textContent = error.message; exportButton.disabled = false; });
    }

    exportButton.addEventListener("click", function () {
        exportButton.disabled = true;
        exportReady.hidden = true;
        exportStatus.textContent = gettext("Preparing the file…");
        post("export_start", {filters: filters}).then(function (job) { followExport(job.export); })
            .catch(function (error) { exportStatus.textContent = error.message; exportButton.disabled = false; });
    });

    // -- the audit trail ----------------------------------------------------------------
    function loadAudit() {
        return post("audit", {page: auditState.page, page_size: 10, filters: auditState.filters}).then(function (body) {
            auditState.pages = body.pages;
            auditState.page = body.page;
            fillRows($(".upx-audit-table tbody"), body.rows.map(function (row) {
                var before = row.verdict_before_label || row.verdict_before;
                var after = row.verdict_after_label || row.verdict_after;
                return [helpers.formatTime(row.at), row.actor.username, row.action_label || row.action,
                        row.learner_id, row.summary || row.reason,
                        before || after ? (before || "–") + " → " + (after || "–") : ""];
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
