/* Helpers shared by the block's view modules (the learner's page, the identity panel, the
 * mentors' table, the vouch dialog): the block's DOM element, a JSON POST to one of the
 * block's handlers, a DOM element with text, a link to a forge's page, and "%(name)s"
 * message formatting. Loaded before each view module; defined again by a second block in
 * the same unit, which changes nothing.
 */
var UpstreamXBlockCommon = (function () {
    "use strict";

    // The block's DOM element, whether the runtime hands it bare or wrapped in jQuery.
    function rootOf(element) {
        return (element && element.jquery) ? element[0] : element;
    }

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }

    // post(handler, payload) for the block ``element``: resolves with the JSON answer; rejects
    // with an Error carrying the server's message, ``status`` and ``body`` (its "error"), or,
    // when the server could not be reached, ``networkErrorText`` and no status.
    function poster(runtime, element, networkErrorText) {
        return function post(handler, payload) {
            return fetch(runtime.handlerUrl(element, handler), {
                method: "POST",
                credentials: "same-origin",
                headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(),
                          "X-Requested-With": "XMLHttpRequest"},
                body: JSON.stringify(payload || {})
            }).then(function (response) {
                return response.json().catch(function () { return {}; }).then(function (body) {
                    if (!response.ok) {
                        var error = new Error((body.error && body.error.message)
                                              || response.statusText || networkErrorText);
                        error.status = response.status;
                        error.body = body.error || {};
                        throw error;
                    }
                    return body;
                });
            }, function () { throw new Error(networkErrorText); });
        };
    }

    // Text goes in as text (textContent), never as markup.
    function el(tag, className, content) {
        var node = document.createElement(tag);
        if (className) { node.className = className; }
        if (content !== undefined && content !== null) { node.textContent = content; }
        return node;
    }

    // Only http(s) addresses become links; anything else (javascript:, data:) gives null.
    function safeHref(url) {
        return /^https?:\/\//i.test(url || "") ? url : null;
    }

    // A forge's page, opened in a new tab: an <a> named by ``openLinkText`` ("%(title)s"),
    // or a <span> with the title alone when the address is not a safe link.
    function externalLink(className, url, title, openLinkText) {
        var href = safeHref(url);
        var link = el(href ? "a" : "span", className, title);
        if (href) {
            link.href = href;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            link.setAttribute("aria-label", format(openLinkText, {title: title}));
        }
        return link;
    }

    // Fills "%(name)s" placeholders: translators own the whole sentence and its punctuation.
    function format(template, params) {
        return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
            return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match;
        });
    }

    return {rootOf: rootOf, poster: poster, el: el, externalLink: externalLink, format: format};
}());
