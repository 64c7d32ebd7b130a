/* Drawing the learner's page for one upstream_contribution block: cards, badges,
 * timelines, times. Forge text is written with textContent only, isolated in
 * <bdi> or dir="auto" so that right-to-left text cannot reorder what is around it.
 * Loaded before learner.js, which drives the page.
 */
function UpstreamContributionRenderer(root, language) {
    "use strict";
    var clockOffsetMs = 0;  // server clock minus browser clock
    var SVG_NS = "http://www.w3.org/2000/svg";
    var el = UpstreamXBlockCommon.el;
    var gettext = UpstreamXBlockCommon.gettext, interpolate = UpstreamXBlockCommon.interpolate;
    // What a check's outcome is called before its reason.
    var OUTCOMES = {passed: gettext("Passed:"), failed: gettext("Not met:"), waiting: gettext("Waiting:")};
    // Small line icons (16x16): shapes, so that no state is told by colour alone.
    var ICONS = {
        open: "M8 2a6 6 0 1 1 0 12A6 6 0 0 1 8 2zm0 4a2 2 0 1 0 0 4 2 2 0 0 0 0-4z",
        draft: "M8 2v2M8 12v2M2 8h2M12 8h2M3.8 3.8l1.4 1.4M10.8 10.8l1.4 1.4M3.8 12.2l1.4-1.4M10.8 5.2l1.4-1.4",
        merged: "M3 8.5l3 3 7-7",
        closed: "M4 4l8 8M12 4l-8 8",
        unknown: "M8 2a6 6 0 1 1 0 12A6 6 0 0 1 8 2zM8 5v3.5l2.5 1.5",
        passed: "M3 8.5l3 3 7-7",
        failed: "M4 4l8 8M12 4l-8 8",
        waiting: "M8 2a6 6 0 1 1 0 12A6 6 0 0 1 8 2zM8 5v3.5l2.5 1.5",
        counted: "M8 1.5l2 4.2 4.5.6-3.3 3.1.8 4.5L8 11.7l-4 2.2.8-4.5L1.5 6.3 6 5.7z",
        mentor: "M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z"
    };

    function icon(name) {
        var svg = document.createElementNS(SVG_NS, "svg");
        svg.setAttribute("viewBox", "0 0 16 16");
        svg.setAttribute("aria-hidden", "true");
        svg.setAttribute("focusable", "false");
        var path = document.createElementNS(SVG_NS, "path");
        path.setAttribute("d", ICONS[name] || ICONS.unknown);
        path.setAttribute("fill", "none");
        path.setAttribute("stroke", "currentColor");
        path.setAttribute("stroke-width", "1.75");
        path.setAttribute("stroke-linecap", "round");
        path.setAttribute("stroke-linejoin", "round");
        svg.appendChild(path);
        return svg;
    }

    // Like interpolate, as DOM nodes: each value is a node of its own (forge text in a <bdi>).
    function formatNodes(template, params) {
        var fragment = document.createDocumentFragment();
        var parts = template.split(/(%\(\w+\)s)/);
        parts.forEach(function (part) {
            var match = /^%\((\w+)\)s$/.exec(part);
            if (!match || !params.hasOwnProperty(match[1])) {
                if (part) { fragment.appendChild(document.createTextNode(part)); }
                return;
            }
            var value = params[match[1]];
            fragment.appendChild(value instanceof Node ? value : el("bdi", null, String(value)));
        });
        return fragment;
    }

    function exactTime(date) {
        try {
            return new Intl.DateTimeFormat(language, {dateStyle: "medium", timeStyle: "short"}).format(date);
        } catch (e) { return date.toLocaleString(); }
    }

    function serverNow() { return Date.now() + clockOffsetMs; }

    function relativeTime(date) {
        var seconds = Math.round((date.getTime() - serverNow()) / 1000);
        var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
                     ["hour", 3600], ["minute", 60], ["second", 1]];
        for (var i = 0; i < units.length; i++) {
            if (Math.abs(seconds) >= units[i][1] || units[i][0] === "second") {
                var value = Math.round(seconds / units[i][1]);
                try {
                    return new Intl.RelativeTimeFormat(language, {numeric: "auto"}).format(value, units[i][0]);
                } catch (e) { return exactTime(date); }
            }
        }
        return exactTime(date);
    }

    // <time datetime="…" title="exact">3 minutes ago</time>, refreshed by the clock.
    function timeNode(iso, relative) {
        var date = new Date(iso);
        var node = el("time");
        node.setAttribute("datetime", iso);
        if (isNaN(date.getTime())) { node.textContent = iso; return node; }
        node.title = exactTime(date);
        node.setAttribute("data-relative", relative ? "1" : "");
        node.textContent = relative ? relativeTime(date) : shortDate(date);
        return node;
    }

    function shortDate(date) {
        try { return new Intl.DateTimeFormat(language, {dateStyle: "medium"}).format(date); }
        catch (e) { return date.toLocaleDateString(); }
    }

    function refreshClock() {
        Array.prototype.forEach.call(root.querySelectorAll("time[data-relative='1']"), function (node) {
            var date = new Date(node.getAttribute("datetime"));
            if (!isNaN(date.getTime())) { node.textContent = relativeTime(date); }
        });
    }

    function renderBadge(className, iconName, label) {
        var badge = el("span", "upstream-badge " + className);
        badge.appendChild(icon(iconName));
        badge.appendChild(el("span", null, label));
        return badge;
    }

    function renderCheck(check) {
        var item = el("li", "upstream-check upstream-check-" + check.outcome);
        item.appendChild(icon(check.outcome));
        var body = el("span");
        body.appendChild(el("span", "upstream-check-outcome", (OUTCOMES[check.outcome] || check.outcome) + " "));
        body.appendChild(el("span", "upstream-check-reason", check.reason));
        item.appendChild(body);
        return item;
    }

    function renderTimeline(c, title) {
        var list = el("ol", "upstream-timeline");
        list.setAttribute("aria-label", interpolate(gettext("Timeline of %(title)s"), {title: title}));
        (c.timeline || []).forEach(function (step) {
            var item = el("li", "upstream-step upstream-step-" + (step.done ? "done" : "todo"));
            item.appendChild(el("span", "upstream-step-name", step.label));
            var when = el("span", "upstream-step-when");
            if (step.done && step.at) {
                when.appendChild(timeNode(step.at, false));
            } else if (step.done) {
                when.textContent = gettext("date not known");
            }
            item.appendChild(when);
            // Screen readers hear whether each step happened; the dot says it visually.
            item.appendChild(el("span", "upstream-visually-hidden",
                " (" + (step.done ? gettext("done") : gettext("not yet")) + ")"));
            list.appendChild(item);
        });
        return list;
    }

    function renderTimes(c) {
        var line = el("p", "upstream-item-meta upstream-item-times");
        if (c.last_checked) {
            line.appendChild(formatNodes(gettext("Checked %(when)s"), {when: timeNode(c.last_checked, true)}));
        } else {
            line.appendChild(document.createTextNode(gettext("Not checked yet")));
        }
        line.appendChild(document.createTextNode(" · "));
        if (!c.next_check) {
            line.appendChild(document.createTextNode(gettext("no more checks needed")));
        } else if (new Date(c.next_check).getTime() <= serverNow() + 1000) {
            line.appendChild(document.createTextNode(gettext("being checked now")));
        } else {
            line.appendChild(formatNodes(gettext("next check %(when)s"), {when: timeNode(c.next_check, true)}));
        }
        return line;
    }

    // One annotation from a mentor: who, when, its tag, its words (textContent only; the
    // text keeps its line breaks through CSS, never through markup).
    function renderNote(note) {
        var item = el("li", "upstream-note" + (note.tag ? " upstream-note-" + note.tag : ""));
        item.setAttribute("data-note-id", note.id);
        var head = el("p", "upstream-note-head");
        head.appendChild(renderBadge("upstream-badge-mentor", "mentor", gettext("From your mentor")));
        var byline = el("span", "upstream-note-byline");
        byline.appendChild(formatNodes(gettext("%(author)s, %(when)s"), {
            author: note.author, when: timeNode(note.created_at, true)}));
        if (note.edited_at) { byline.appendChild(document.createTextNode(" " + gettext("(edited)"))); }
        head.appendChild(byline);
        if (note.tag_label) {
            head.appendChild(el("span", "upstream-note-tag upstream-note-tag-" + note.tag, note.tag_label));
        }
        item.appendChild(head);
        var words = el("p", "upstream-note-text", note.text);
        words.setAttribute("dir", "auto");
        item.appendChild(words);
        return item;
    }

    function renderNotes(notes, className) {
        var list = el("ul", "upstream-notes " + (className || ""));
        list.setAttribute("aria-label", gettext("Notes from your mentor"));
        notes.forEach(function (note) { list.appendChild(renderNote(note)); });
        return list;
    }

    // The project's usual pace beside the learner's wait, and the author's next step.
    function renderPace(c) {
        var pace = el("div", "upstream-pace" + (c.upstream && c.upstream.overdue ? " upstream-pace-overdue" : ""));
        if (c.upstream && c.upstream.overdue) {
            pace.appendChild(renderBadge("upstream-badge-overdue", "waiting", gettext("Longer than usual")));
        }
        if (c.upstream_summary) { pace.appendChild(el("p", "upstream-pace-summary", c.upstream_summary)); }
        if (c.next_step) {
            var next = el("p", "upstream-pace-next");
            next.appendChild(el("strong", "", gettext("Next step:")));
            next.appendChild(document.createTextNode(" "));
            var text = el("span", "", c.next_step);
            text.setAttribute("dir", "auto");
            next.appendChild(text);
            pace.appendChild(next);
        }
        return pace;
    }

    function renderContribution(c, onWithdraw, notes) {
        var item = el("li", "upstream-item upstream-verdict-" + c.verdict);
        item.setAttribute("data-url", c.url);
        item.tabIndex = -1;
        var heading = el("div", "upstream-item-heading");
        var title = c.title || gettext("(title not known yet)");
        var link = UpstreamXBlockCommon.externalLink("upstream-item-link", c.web_url, title);
        link.setAttribute("dir", "auto");
        link.title = title;  // the whole title, also when the card shows it cut
        if (link.tagName === "A") { link.setAttribute("data-focus-key", c.url + "#link"); }
        heading.appendChild(link);
        var stateIcon = ICONS[c.state] ? c.state : "unknown";
        heading.appendChild(renderBadge("upstream-state upstream-state-" + stateIcon, stateIcon, c.state_label));
        if (c.counted) {
            heading.appendChild(renderBadge("upstream-badge-counted upstream-item-counted", "counted", gettext("Counted for your grade")));
        }
        item.appendChild(heading);
        item.appendChild(el("p", "upstream-item-meta upstream-item-repo")).appendChild(
            formatNodes(gettext("Repository: %(repository)s #%(number)s"), {repository: c.repository, number: c.number}));
        item.appendChild(renderTimeline(c, title));
        if (c.upstream_summary || c.next_step) { item.appendChild(renderPace(c)); }
        if (c.checks && c.checks.length) {
            var checks = el("ul", "upstream-checks");
            checks.setAttribute("aria-label", gettext("Checks"));
            c.checks.forEach(function (check) { checks.appendChild(renderCheck(check)); });
            item.appendChild(checks);
        }
        if (c.error) { item.appendChild(el("p", "upstream-item-error", c.error.message)); }
        if (notes && notes.length) { item.appendChild(renderNotes(notes, "upstream-item-notes")); }
        var footer = el("div", "upstream-item-footer");
        footer.appendChild(renderTimes(c));
        if (c.can_withdraw) {
            var withdraw = el("button", "upstream-btn upstream-btn-link upstream-withdraw", gettext("Withdraw"));
            withdraw.type = "button";
            withdraw.setAttribute("aria-label", interpolate(gettext("Withdraw %(title)s"), {title: title}));
            withdraw.setAttribute("data-focus-key", c.url + "#withdraw");
            withdraw.addEventListener("click", function () { onWithdraw(c, title); });
            footer.appendChild(withdraw);
        }
        item.appendChild(footer);
        return item;
    }


    return {
        el: el, formatNodes: formatNodes, timeNode: timeNode,
        serverNow: serverNow, refreshClock: refreshClock, contribution: renderContribution,
        notes: renderNotes,
        setServerNow: function (iso) { clockOffsetMs = new Date(iso).getTime() - Date.now(); }
    };
}
