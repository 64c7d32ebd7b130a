/* The block's Studio editor: reads the form, saves through the block's handler,
 * shows each problem next to its field and moves focus to the first one.
 *
 * Its strings come from the block's JS catalog (common.js, loaded before it).
 * Saving goes through jQuery when the page has it: Studio (and the workbench)
 * add the CSRF token to jQuery's requests, as they do for every block's editor.
 */
function UpstreamContributionStudioEditor(runtime, element) {
    "use strict";
    var root = UpstreamXBlockCommon.rootOf(element);
    var gettext = UpstreamXBlockCommon.gettext;
    var form = root.querySelector(".upstream-studio-form");
    var summary = root.querySelector(".upstream-studio-summary");
    var status = root.querySelector(".upstream-studio-status");

    function fields() { return Array.prototype.slice.call(root.querySelectorAll(".upstream-studio-field")); }

    function control(field) { return field.querySelector("input, textarea"); }

    function values() {
        var result = {};
        fields().forEach(function (field) {
            var input = control(field);
            result[field.getAttribute("data-field-name")] =
                field.getAttribute("data-widget") === "checkbox" ? input.checked : input.value;
        });
        return result;
    }

    function clearProblems() {
        summary.textContent = "";
        fields().forEach(function (field) {
            field.querySelector(".upstream-studio-error").textContent = "";
            control(field).removeAttribute("aria-invalid");
        });
    }

    function showProblems(error) {
        var problems = error.fields || {};
        var first = null;
        fields().forEach(function (field) {
            var messages = problems[field.getAttribute("data-field-name")];
            if (!messages || !messages.length) { return; }
            field.querySelector(".upstream-studio-error").textContent = messages.join(" ");
            control(field).setAttribute("aria-invalid", "true");
            first = first || control(field);
        });
        summary.textContent = [error.message].concat(problems.__all__ || []).join(" ");
        (first || summary).focus();
    }

    function notify(name, data) {
        if (runtime.notify) { runtime.notify(name, data); }
    }

    function send(payload) {
        var url = runtime.handlerUrl(element, "submit_studio_edits");
        var body = JSON.stringify(payload);
        if (window.jQuery) {
            return new Promise(function (resolve, reject) {
                window.jQuery.ajax({type: "POST", url: url, data: body, contentType: "application/json",
                                    dataType: "json"})
                    .done(resolve)
                    .fail(function (xhr) { reject(xhr.responseJSON || {status: xhr.status}); });
            });
        }
        return fetch(url, {method: "POST", credentials: "same-origin", body: body,
                           headers: {"Content-Type": "application/json"}})
            .then(function (response) {
                return response.json().catch(function () { return {status: response.status}; })
                    .then(function (json) { if (!response.ok) { throw json; } return json; });
            });
    }

    form.addEventListener("submit", function (event) {
        event.preventDefault();
        clearProblems();
        notify("save", {state: "start"});
        send({values: values()}).then(function () {
            status.textContent = gettext("Saved.");
            notify("save", {state: "end"});
        }).catch(function (answer) {
            var error = (answer && answer.error) || {message: gettext("Could not save. Please try again."),
                                                    fields: {}};
            showProblems(error);
            notify("error", {title: error.message, message: error.message});
        });
    });

    root.querySelector(".upstream-studio-cancel").addEventListener("click", function () {
        notify("cancel", {});
    });
}
