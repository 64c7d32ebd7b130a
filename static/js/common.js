/* Helpers shared by the block's view modules (the learner's page, the identity panel, the
 * mentors' table, the vouch dialog, Studio's editor): the block's DOM element, a JSON POST
 * to one of the block's handlers, a DOM element with text, a link to a forge's page, and
 * the translations: gettext, ngettext and interpolate of the block's JS catalog. Loaded
 * before each view module; defined again by a second block in the same unit, which
 * changes nothing.
 */
var UpstreamXBlockCommon = (function () {
    "use strict";

    // The block's JS catalog (its i18n_js_namespace): Django's JavaScript catalog of the
    // page's language, compiled from djangojs.po and added to the page before this module
    // (upstream_xblock/block/resources.py). Read when a string is asked for, not when this
    // file loads. Without a catalog the page speaks English, with English's plural rule.
    function catalog() {
        return window.UpstreamXBlockI18N || null;
    }

    function gettext(msgid) {
        var translations = catalog();
        return translations ? translations.gettext(msgid) : msgid;
    }

    function ngettext(singular, plural, count) {
        var translations = catalog();
        if (translations) { return translations.ngettext(singular, plural, count); }
        return count === 1 ? singular : plural;
    }

    // "%(name)s" placeholders filled from ``params``; translators own the whole sentence.
    function interpolate(template, params) {
        var translations = catalog();
        if (translations && translations.interpolate) {
            return translations.interpolate(String(template || ""), params || {}, true);
        }
        return String(template || "").replace(/%\((\w+)\)s/g, function (match, name) {
            return String((params || {})[name]);
        });
    }

    // The block's DOM element, whether the runtime hands it bare or wrapped in jQuery.
    function rootOf(element) {
        return (element && element.jquery) ? element[0] : element;
    }

    function csrfToken() {
        var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
        return match ? decodeURIComponent(match[1]) : "";
    }

    // post(name, payload) to the URL ``urlOf(name)``: resolves with the JSON answer; rejects
    // with an Error carrying the server's message, ``status`` and ``body`` (its "error"), or,
    // when the server could not be reached, ``networkErrorText`` and no status.
    function postTo(urlOf, networkErrorText) {
        return function post(name, payload) {
            return fetch(urlOf(name), {
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

    // post(handler, payload) for the block ``element``: its handlers, as postTo says.
    function poster(runtime, element, networkErrorText) {
        return postTo(function (handler) { return runtime.handlerUrl(element, handler); },
                      networkErrorText);
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

    // A forge's page, opened in a new tab (its name says so), or a <span> with the title
    // alone when the address is not a safe link.
    function externalLink(className, url, title) {
        var href = safeHref(url);
        var link = el(href ? "a" : "span", className, title);
        if (href) {
            link.href = href;
            link.target = "_blank";
            link.rel = "noopener noreferrer";
            link.setAttribute("aria-label", interpolate(
                gettext("%(title)s (opens on the forge in a new tab)"), {title: title}));
        }
        return link;
    }

    return {rootOf: rootOf, poster: poster, postTo: postTo, el: el, externalLink: externalLink,
            gettext: gettext, ngettext: ngettext, interpolate: interpolate};
}());
