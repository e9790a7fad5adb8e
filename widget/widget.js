/*
 * Speak Out Space chat widget.
 *
 * Plain JavaScript, no framework and no build step. A page embeds it with one
 * tag, and the data- attributes of that tag configure it:
 *
 *   <script src="https://GATEWAY/widget/widget.js" defer
 *           data-gateway-url="https://GATEWAY"
 *           data-title="Speak Out Space"
 *           data-greeting="Hello..."
 *           data-colour="#3b1f6b"
 *           data-exit-url="https://www.bbc.co.uk/weather"
 *           data-safety-url="https://..."></script>
 *
 * The widget draws itself in a shadow root, so the page's styles and its own
 * cannot affect each other. It talks only to the chat gateway of the
 * directory service. Text from the server is only ever added as text nodes;
 * links and phone numbers found in it become <a> elements built one by one.
 * Nothing is stored in cookies: the conversation id and the transcript live in
 * sessionStorage and end with the browser tab.
 */
(function () {
  "use strict";

  // Every string the widget shows. Translate here, and nowhere else.
  const STRINGS = {
    locale: "en-GB",
    defaultTitle: "Speak Out Space",
    defaultGreeting:
      "Hello. I'm the Speak Out Space assistant. You can tell me what happened, in your own words, and I'll help you find support and ways to report it in Leicester, Leicestershire and Rutland. If you are in danger now, call 999.",
    launcher: "Chat to the assistant",
    close: "Close the chat",
    exitPage: "Exit this page",
    exitCovering: "Loading.",
    shiftTwoMore: "Shift, press 2 more times to exit.",
    shiftOneMore: "Shift, press 1 more time to exit.",
    shiftExpired: "Exit this page expired.",
    aboutButton: "About this chat and staying safe",
    aboutHeading: "About this chat",
    about: [
      "This is an automated assistant, not a person. Telling it what happened is not a report to the police, and you do not have to give your name.",
      "To leave quickly, select Exit this page or press the Shift key 3 times. The chat closes, this conversation is removed from this browser, and our server is asked to delete it.",
      "Leaving this way does not clear your browser history. Someone who uses this device could still see that you visited this site.",
      "The chat uses no cookies. The conversation is kept in this browser tab only, until you close the tab.",
    ],
    safetyLink: "How to browse more safely",
    logLabel: "Conversation",
    visitorLabel: "You",
    assistantLabel: "Assistant",
    noticeLabel: "Help is still available",
    optionsLabel: "Reply options",
    inputLabel: "Your message",
    inputHint: "Press Enter to send, Shift and Enter for a new line.",
    send: "Send",
    startAgain: "Start again",
    startedAgain: "You have started a new conversation.",
    save: "Save this conversation",
    typing: "The assistant is writing a reply.",
    slow: "This is taking longer than usual. If you are in danger now, call 999.",
    sending: "Please wait for the reply before sending another message.",
    retry: "Try again",
    opensInNewTab: "(opens in a new tab)",
    unavailable: [
      "Sorry, the assistant isn't available right now. You can still get help:",
      "If you are in danger now, call 999.",
      "To report to the police when it is not an emergency, call 101.",
      "You can report hate crime online to True Vision at https://www.report-it.org.uk",
      "Stop Hate UK's helpline is open 24 hours a day on 0800 138 1625.",
    ],
    connectionLost:
      "Your message could not be sent because the connection was lost or the service did not reply.",
    tooLarge:
      "Sorry, that message is too large to send. Please shorten it, or send it in a few parts.",
    rateLimited:
      "Sorry, there have been a lot of messages in a short time. Please wait a little and try again.",
    retryAfter: (seconds) =>
      `You can try again in ${seconds} ${seconds === 1 ? "second" : "seconds"}.`,
    summaryHeading: "Your conversation summary",
    summaryIntro:
      "This summary was made in your browser. It has not been sent anywhere or kept by Speak Out Space. If you keep it, store it somewhere safe.",
    summaryEmpty: "There is nothing to save yet.",
    download: "Download as a text file",
    print: "Print",
    backToChat: "Back to the chat",
    summaryTitle: "Speak Out Space: summary of your conversation",
    summarySaved: (date) => `Saved on ${date}.`,
    summaryDescribed: "What you described",
    summaryRoutes: "Ways to report and get support that were suggested",
    summaryTranscript: "The whole conversation",
    summaryNothing: "Nothing yet.",
    summaryReference: (reference) =>
      `The reference of this conversation is ${reference}. If you want the anonymised record of it erased later, quote this reference to Speak Out Space.`,
    summaryFileName: (day) => `speak-out-space-conversation-${day}.txt`,
  };

  const DEFAULTS = {
    colour: "#3b1f6b",
    exitUrl: "https://www.bbc.co.uk/weather",
    safetyUrl: "https://www.womensaid.org.uk/cover-your-tracks-online/",
  };

  const STORAGE_KEYS = {
    conversation: "speakOutSpace.conversationId",
    reference: "speakOutSpace.reference",
    transcript: "speakOutSpace.transcript",
    open: "speakOutSpace.open",
  };

  // The GOV.UK "Exit this page" convention: three presses of Shift, each
  // within 5 seconds of the previous one, with no other key in between.
  const SHIFT_PRESSES_TO_EXIT = 3;
  const SHIFT_TIMEOUT_MS = 5000;

  // Waiting for a reply: the slow notice appears after SLOW_NOTICE_MS, and the
  // request is abandoned after REQUEST_TIMEOUT_MS. The gateway gives up on Rasa
  // sooner than that and replies with its fallback.
  const SLOW_NOTICE_MS = 8000;
  const REQUEST_TIMEOUT_MS = 30000;

  // Campaign fields of the page address that the gateway takes when a
  // conversation starts, and the longest value it accepts.
  const CAMPAIGN_FIELDS = ["utm_source", "utm_medium", "utm_campaign"];
  const CAMPAIGN_VALUE_MAX_LENGTH = 200;

  // ---------------------------------------------------------------------------
  // Links in server text

  // URLs with a scheme or starting with www., e-mail addresses, and UK phone
  // numbers: the short codes 999, 101, 111 and 116 123, and numbers of 10 or 11
  // digits starting with 0, or with +44 in place of the 0.
  const LINK_PATTERN = new RegExp(
    [
      String.raw`(https?:\/\/[^\s<>"]+|www\.[^\s<>"]+)`,
      String.raw`([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})`,
      String.raw`(\b(?:999|101|111|116 ?123)\b|(?:\+44 ?|\b0)\d(?:[ -]?\d){8,9}\b)`,
    ].join("|"),
    "g",
  );
  const TRAILING_PUNCTUATION = /[.,;:!?)\]'"]+$/;

  /**
   * Split text into plain parts and link parts.
   * @param {string} text
   * @returns {Array<{kind: "text" | "url" | "email" | "phone", text: string, href?: string}>}
   */
  function findLinks(text) {
    const parts = [];
    let position = 0;

    for (const match of text.matchAll(LINK_PATTERN)) {
      let found = match[0];
      if (match[1]) {
        found = found.replace(TRAILING_PUNCTUATION, "");
      }
      const link = toLink(found, match);
      if (!link) {
        continue;
      }
      if (match.index > position) {
        parts.push({ kind: "text", text: text.slice(position, match.index) });
      }
      parts.push(link);
      position = match.index + found.length;
    }

    if (position < text.length) {
      parts.push({ kind: "text", text: text.slice(position) });
    }
    return parts;
  }

  /**
   * Turn one match of LINK_PATTERN into a link part, or null if it is not one.
   * @param {string} found
   * @param {RegExpMatchArray} match
   */
  function toLink(found, match) {
    if (match[2]) {
      return { kind: "email", text: found, href: `mailto:${found}` };
    }
    if (match[3]) {
      const digits = found.replace(/[^\d+]/g, "");
      return { kind: "phone", text: found, href: `tel:${digits}` };
    }

    const withScheme = found.startsWith("www.") ? `https://${found}` : found;
    let url;
    try {
      url = new URL(withScheme);
    } catch {
      return null;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      return null;
    }
    return { kind: "url", text: found, href: url.href };
  }

  /**
   * Build text nodes and links for server text, without parsing it as HTML.
   * @param {string} text
   * @param {Document} doc
   * @returns {DocumentFragment}
   */
  function linkify(text, doc) {
    const fragment = doc.createDocumentFragment();

    for (const part of findLinks(text)) {
      if (part.kind === "text") {
        fragment.append(doc.createTextNode(part.text));
        continue;
      }
      const link = doc.createElement("a");
      link.href = part.href;
      link.textContent = part.text;
      if (part.kind === "url") {
        // A new tab keeps the conversation open in this one.
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        const note = doc.createElement("span");
        note.className = "visually-hidden";
        note.textContent = ` ${STRINGS.opensInNewTab}`;
        link.append(note);
      }
      fragment.append(link);
    }
    return fragment;
  }

  // ---------------------------------------------------------------------------
  // Colours

  /**
   * Parse #rgb or #rrggbb into [r, g, b], or return null.
   * @param {string} value
   */
  function parseColour(value) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value).trim());
    if (!match) {
      return null;
    }
    let hex = match[1];
    if (hex.length === 3) {
      hex = [...hex].map((digit) => digit + digit).join("");
    }
    return [0, 2, 4].map((start) => parseInt(hex.slice(start, start + 2), 16));
  }

  /** Relative luminance of an sRGB colour, as WCAG 2.2 defines it. */
  function luminance(rgb) {
    const [r, g, b] = rgb.map((channel) => {
      const value = channel / 255;
      return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  /** WCAG contrast ratio of two #rrggbb colours, from 1 to 21. */
  function contrastRatio(first, second) {
    const a = luminance(parseColour(first));
    const b = luminance(parseColour(second));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  /**
   * Return the text colour, black or white, with more contrast on
   * `background`. One of the two always reaches at least 4.58 to 1.
   */
  function readableTextColour(background) {
    const dark = "#000000";
    const light = "#ffffff";
    return contrastRatio(background, dark) >= contrastRatio(background, light)
      ? dark
      : light;
  }

  // ---------------------------------------------------------------------------
  // Summary of the conversation

  /**
   * @param {string} iso
   */
  function formatDate(iso) {
    return new Intl.DateTimeFormat(STRINGS.locale, {
      dateStyle: "long",
      timeStyle: "short",
    }).format(new Date(iso));
  }

  /**
   * Build the summary of a transcript: what the visitor described, the lines
   * of the assistant's messages that name a phone number, website or e-mail
   * address, and the whole conversation, each with its date.
   * @param {Array<{role: string, text: string, at: string, local?: boolean}>} transcript
   * @param {Date} now
   * @param {string | null} reference
   */
  function buildSummary(transcript, now, reference) {
    const described = [];
    const routes = [];
    const seenRoutes = new Set();
    const conversation = [];

    for (const entry of transcript) {
      const when = formatDate(entry.at);
      if (entry.role === "visitor") {
        described.push({ when, text: entry.text });
      }
      if (entry.role === "assistant" && !entry.local) {
        for (const line of entry.text.split("\n")) {
          const trimmed = line.trim();
          const hasLink = findLinks(trimmed).some((part) => part.kind !== "text");
          if (hasLink && !seenRoutes.has(trimmed)) {
            seenRoutes.add(trimmed);
            routes.push({ when, text: trimmed });
          }
        }
      }
      if (entry.role === "visitor" || entry.role === "assistant") {
        const speaker =
          entry.role === "visitor" ? STRINGS.visitorLabel : STRINGS.assistantLabel;
        conversation.push({ when, speaker, text: entry.text });
      }
    }

    return {
      title: STRINGS.summaryTitle,
      saved: STRINGS.summarySaved(formatDate(now.toISOString())),
      intro: STRINGS.summaryIntro,
      reference: reference ? STRINGS.summaryReference(reference) : null,
      sections: [
        { heading: STRINGS.summaryDescribed, items: described },
        { heading: STRINGS.summaryRoutes, items: routes },
        { heading: STRINGS.summaryTranscript, items: conversation },
      ],
    };
  }

  /** Render a summary as plain text for a download. */
  function summaryToText(summary) {
    const lines = [summary.title, summary.saved, "", summary.intro];
    if (summary.reference) {
      lines.push("", summary.reference);
    }
    for (const section of summary.sections) {
      lines.push("", section.heading, "-".repeat(section.heading.length));
      if (section.items.length === 0) {
        lines.push(STRINGS.summaryNothing);
      }
      for (const item of section.items) {
        const speaker = item.speaker ? `${item.speaker}, ` : "";
        lines.push(`${speaker}${item.when}:`, indent(item.text), "");
      }
    }
    return lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
  }

  function indent(text) {
    return text
      .split("\n")
      .map((line) => `    ${line}`)
      .join("\n");
  }

  /**
   * Append a summary to `parent` as headings, paragraphs and lists.
   * @param {ReturnType<typeof buildSummary>} summary
   * @param {HTMLElement} parent
   * @param {number} headingLevel
   */
  function renderSummary(summary, parent, headingLevel) {
    const doc = parent.ownerDocument;
    const element = (tag, className, text) => {
      const node = doc.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    };

    parent.append(element("p", "summary__saved", summary.saved));
    parent.append(element("p", "summary__intro", summary.intro));
    if (summary.reference) {
      parent.append(element("p", "summary__reference", summary.reference));
    }
    for (const section of summary.sections) {
      parent.append(element(`h${headingLevel}`, "summary__heading", section.heading));
      if (section.items.length === 0) {
        parent.append(element("p", "", STRINGS.summaryNothing));
        continue;
      }
      const list = element("ul", "summary__list");
      for (const item of section.items) {
        const entry = element("li", "summary__item");
        const speaker = item.speaker ? `${item.speaker}, ` : "";
        entry.append(element("span", "summary__when", `${speaker}${item.when}`));
        const text = element("span", "summary__text");
        text.append(linkify(item.text, doc));
        entry.append(text);
        list.append(entry);
      }
      parent.append(list);
    }
  }

  // ---------------------------------------------------------------------------
  // Storage

  const storage = {
    get(key) {
      try {
        return window.sessionStorage.getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        window.sessionStorage.setItem(key, value);
      } catch {
        // Storage can be full or blocked; the chat still works in this page.
      }
    },
    remove(key) {
      try {
        window.sessionStorage.removeItem(key);
      } catch {
        // Nothing was stored if storage is blocked.
      }
    },
    wipe() {
      for (const key of Object.values(STORAGE_KEYS)) {
        try {
          window.sessionStorage.removeItem(key);
        } catch {
          // Nothing was stored if storage is blocked.
        }
      }
    },
  };

  function loadTranscript() {
    try {
      const parsed = JSON.parse(storage.get(STORAGE_KEYS.transcript) || "[]");
      return Array.isArray(parsed) ? parsed : [];
    } catch {
      return [];
    }
  }

  // ---------------------------------------------------------------------------
  // Gateway client

  /** A failed request, with the text to show and whether retrying may help. */
  class GatewayError extends Error {
    constructor(kind, detail, retryAfterSeconds) {
      super(kind);
      this.kind = kind;
      this.detail = detail;
      this.retryAfterSeconds = retryAfterSeconds;
    }
  }

  class Gateway {
    /** @param {string} apiBase URL of /api/chat without a trailing slash */
    constructor(apiBase) {
      this.apiBase = apiBase;
    }

    /** Return the stored conversation id, or ask the gateway for a new one. */
    async conversationId() {
      const stored = storage.get(STORAGE_KEYS.conversation);
      if (stored) {
        return stored;
      }
      const campaign = campaignFields(window.location.search);
      const options = { method: "POST" };
      if (Object.keys(campaign).length > 0) {
        options.headers = { "Content-Type": "application/json" };
        options.body = JSON.stringify(campaign);
      }
      const response = await this.request(`${this.apiBase}/conversations`, options);
      const body = await response.json();
      storage.set(STORAGE_KEYS.conversation, body.conversation_id);
      if (typeof body.reference === "string" && body.reference) {
        storage.set(STORAGE_KEYS.reference, body.reference);
      }
      return body.conversation_id;
    }

    /**
     * Send one turn and return the reply body. A 404 means the gateway no
     * longer has the conversation, because it was deleted or the service
     * restarted, so the turn is sent once more in a new conversation.
     * @param {{text?: string, payload?: string}} turn
     */
    async send(turn) {
      try {
        return await this.post(await this.conversationId(), turn);
      } catch (error) {
        if (!(error instanceof GatewayError) || error.kind !== "not_found") {
          throw error;
        }
        storage.remove(STORAGE_KEYS.conversation);
        storage.remove(STORAGE_KEYS.reference);
        return this.post(await this.conversationId(), turn);
      }
    }

    async post(conversationId, turn) {
      const response = await this.request(
        `${this.apiBase}/conversations/${encodeURIComponent(conversationId)}/messages`,
        {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(turn),
        },
      );
      return response.json();
    }

    /** Fetch with a time limit, turning every failure into a GatewayError. */
    async request(url, options) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
      let response;
      try {
        response = await fetch(url, {
          ...options,
          signal: controller.signal,
          credentials: "omit",
          referrerPolicy: "no-referrer",
        });
      } catch {
        throw new GatewayError("connection");
      } finally {
        clearTimeout(timer);
      }
      if (response.ok) {
        return response;
      }
      const detail = await readDetail(response);
      if (response.status === 404) {
        throw new GatewayError("not_found", detail);
      }
      if (response.status === 413) {
        throw new GatewayError("too_large", detail);
      }
      if (response.status === 429) {
        const seconds = parseInt(response.headers.get("Retry-After") || "", 10);
        throw new GatewayError(
          "rate_limited",
          detail,
          Number.isFinite(seconds) ? seconds : undefined,
        );
      }
      throw new GatewayError("unavailable", detail);
    }

    /**
     * Ask the gateway to delete a conversation, even while the page is being
     * replaced: a beacon if the browser takes it, otherwise a keepalive fetch.
     * @param {string} conversationId
     */
    remove(conversationId) {
      const url = `${this.apiBase}/conversations/${encodeURIComponent(conversationId)}`;
      try {
        if (navigator.sendBeacon && navigator.sendBeacon(`${url}/delete`)) {
          return;
        }
      } catch {
        // Fall through to fetch.
      }
      fetch(url, {
        method: "DELETE",
        keepalive: true,
        credentials: "omit",
        referrerPolicy: "no-referrer",
      }).catch(() => {});
    }
  }

  /**
   * Return the campaign fields (utm_source, utm_medium, utm_campaign) of a
   * page address query, cut to the length the gateway accepts.
   * @param {string} search
   */
  function campaignFields(search) {
    const params = new URLSearchParams(search);
    const fields = {};
    for (const name of CAMPAIGN_FIELDS) {
      const value = params.get(name);
      if (value) {
        fields[name] = value.slice(0, CAMPAIGN_VALUE_MAX_LENGTH);
      }
    }
    return fields;
  }

  /** Return the JSON `detail` string of an error response, if it has one. */
  async function readDetail(response) {
    try {
      const body = await response.json();
      return typeof body.detail === "string" ? body.detail : undefined;
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------------------
  // The widget

  /** Create an element with a class, and optionally its text and attributes. */
  function make(tag, className, text, attributes) {
    const element = document.createElement(tag);
    if (className) {
      element.className = className;
    }
    if (text !== undefined && text !== null) {
      element.textContent = text;
    }
    for (const [name, value] of Object.entries(attributes || {})) {
      element.setAttribute(name, value);
    }
    return element;
  }

  class ChatWidget {
    /**
     * @param {HTMLElement} host
     * @param {{apiBase: string, assetBase: string, title: string, greeting: string,
     *          colour: string, exitUrl: string, safetyUrl: string, open: boolean}} config
     */
    constructor(host, config) {
      this.host = host;
      this.config = config;
      this.gateway = new Gateway(config.apiBase);
      this.transcript = loadTranscript();
      this.busy = false;
      this.pendingTurn = null;
      this.shiftPresses = 0;
      this.shiftTimer = null;
      this.lastKeyWasModified = false;
      this.exiting = false;
    }

    start() {
      this.root = this.host.attachShadow({ mode: "open" });
      this.applyTheme();
      this.build();
      this.bindEvents();
      this.restore();
    }

    applyTheme() {
      const colour = parseColour(this.config.colour)
        ? this.config.colour
        : DEFAULTS.colour;
      this.host.style.setProperty("--sos-theme", colour);
      this.host.style.setProperty("--sos-on-theme", readableTextColour(colour));
    }

    build() {
      const stylesheet = make("link", "", null, {
        rel: "stylesheet",
        href: new URL("widget.css", this.config.assetBase).href,
      });
      // The widget stays hidden until its styles load, so it never shows
      // unstyled on the page.
      const frame = make("div", "sos", null, { hidden: "", lang: STRINGS.locale });
      const reveal = () => frame.removeAttribute("hidden");
      stylesheet.addEventListener("load", reveal);
      stylesheet.addEventListener("error", reveal);
      this.root.append(stylesheet, frame);
      this.frame = frame;

      // A real link, so that the page is still left if this script fails later.
      this.exitButton = make("a", "exit", STRINGS.exitPage, {
        href: this.config.exitUrl,
        role: "button",
        rel: "noreferrer",
      });
      this.shiftStatus = make("p", "visually-hidden", null, {
        role: "status",
        "aria-live": "polite",
      });
      this.launcher = make("button", "launcher", STRINGS.launcher, {
        type: "button",
        "aria-expanded": "false",
        "aria-controls": "sos-panel",
      });

      this.panel = this.buildPanel();
      this.cover = make("div", "cover", null, { hidden: "" });
      this.cover.append(make("p", "cover__text", STRINGS.exitCovering));

      frame.append(this.exitButton, this.launcher, this.panel, this.shiftStatus, this.cover);
    }

    buildPanel() {
      const panel = make("section", "panel", null, {
        id: "sos-panel",
        "aria-labelledby": "sos-title",
        hidden: "",
      });

      const header = make("div", "panel__header");
      header.append(make("h2", "panel__title", this.config.title, { id: "sos-title" }));
      this.closeButton = make("button", "icon-button", null, {
        type: "button",
        "aria-label": STRINGS.close,
      });
      this.closeButton.append(make("span", "icon-button__cross", "×", { "aria-hidden": "true" }));
      header.append(this.closeButton);

      this.aboutButton = make("button", "link-button", STRINGS.aboutButton, {
        type: "button",
        "aria-expanded": "false",
        "aria-controls": "sos-about",
      });
      this.about = this.buildAbout();

      this.log = make("div", "log", null, {
        role: "log",
        "aria-live": "polite",
        "aria-label": STRINGS.logLabel,
        tabindex: "0",
      });
      // The dots are decoration; the status line below announces the wait.
      this.typing = make("div", "typing", null, { hidden: "", "aria-hidden": "true" });
      this.typing.append(make("span"), make("span"), make("span"));
      this.status = make("p", "status", null, { role: "status" });

      this.form = make("form", "composer");
      const label = make("label", "composer__label", STRINGS.inputLabel, {
        for: "sos-input",
      });
      const hint = make("p", "composer__hint", STRINGS.inputHint, { id: "sos-input-hint" });
      this.input = make("textarea", "composer__input", null, {
        id: "sos-input",
        name: "text",
        rows: "2",
        autocomplete: "off",
        "aria-describedby": "sos-input-hint",
      });
      this.sendButton = make("button", "button button--primary", STRINGS.send, {
        type: "submit",
      });
      const row = make("div", "composer__row");
      row.append(this.input, this.sendButton);
      this.form.append(label, hint, row);

      const tools = make("div", "tools");
      this.startAgainButton = make("button", "button button--secondary", STRINGS.startAgain, {
        type: "button",
      });
      this.saveButton = make("button", "button button--secondary", STRINGS.save, {
        type: "button",
        "aria-expanded": "false",
        "aria-controls": "sos-summary",
      });
      tools.append(this.startAgainButton, this.saveButton);

      this.summary = make("div", "summary", null, { id: "sos-summary", hidden: "" });

      const body = make("div", "panel__body");
      this.body = body;
      body.append(this.aboutButton, this.about, this.log, this.typing, this.status, this.summary);
      panel.append(header, body, this.form, tools);
      return panel;
    }

    buildAbout() {
      const about = make("div", "about", null, { id: "sos-about", hidden: "" });
      about.append(make("h3", "about__heading", STRINGS.aboutHeading));
      for (const paragraph of STRINGS.about) {
        about.append(make("p", "", paragraph));
      }
      const safety = make("a", "", STRINGS.safetyLink, {
        href: this.config.safetyUrl,
        target: "_blank",
        rel: "noopener noreferrer",
      });
      safety.append(make("span", "visually-hidden", ` ${STRINGS.opensInNewTab}`));
      const line = make("p");
      line.append(safety);
      about.append(line);

      const help = make("ul", "about__help");
      for (const route of STRINGS.unavailable.slice(1)) {
        const item = make("li");
        item.append(linkify(route, document));
        help.append(item);
      }
      about.append(help);
      return about;
    }

    bindEvents() {
      this.exitButton.addEventListener("click", (event) => {
        event.preventDefault();
        this.exitPage();
      });
      this.exitButton.addEventListener("keydown", (event) => {
        // A link with the button role also activates with the space bar.
        if (event.key === " ") {
          event.preventDefault();
          this.exitPage();
        }
      });
      this.launcher.addEventListener("click", () => this.open(true));
      this.closeButton.addEventListener("click", () => this.close());
      this.aboutButton.addEventListener("click", () =>
        this.setAboutOpen(this.about.hidden),
      );
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.sendText();
      });
      this.input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.sendText();
        }
      });
      this.startAgainButton.addEventListener("click", () => this.startAgain());
      this.saveButton.addEventListener("click", () =>
        this.setSummaryOpen(this.summary.hidden),
      );
      this.panel.addEventListener("keydown", (event) => {
        if (event.key === "Escape") {
          this.close();
        }
      });
      // The document also receives keyup events from inside the shadow root.
      document.addEventListener("keyup", (event) => this.countShift(event), true);

      for (const opener of document.querySelectorAll("[data-sos-open]")) {
        opener.addEventListener("click", (event) => {
          event.preventDefault();
          this.open(true);
        });
      }
    }

    restore() {
      if (this.transcript.length === 0) {
        this.addEntry({ role: "assistant", text: this.config.greeting, local: true });
      } else {
        for (const entry of this.transcript) {
          this.renderEntry(entry);
        }
        this.showButtonsOfLastReply();
      }
      if (this.config.open || storage.get(STORAGE_KEYS.open) === "true") {
        this.open(false);
      }
    }

    // --- Opening and closing -------------------------------------------------

    /** @param {boolean} moveFocus */
    open(moveFocus) {
      this.panel.hidden = false;
      this.launcher.hidden = true;
      this.launcher.setAttribute("aria-expanded", "true");
      storage.set(STORAGE_KEYS.open, "true");
      const firstTime = !this.transcript.some((entry) => entry.role === "visitor");
      if (firstTime) {
        this.setAboutOpen(true);
      }
      this.scrollToEnd();
      if (moveFocus) {
        this.input.focus();
      }
    }

    close() {
      this.panel.hidden = true;
      this.launcher.hidden = false;
      this.launcher.setAttribute("aria-expanded", "false");
      storage.set(STORAGE_KEYS.open, "false");
      this.launcher.focus();
    }

    setAboutOpen(open) {
      this.about.hidden = !open;
      this.aboutButton.setAttribute("aria-expanded", String(open));
    }

    // --- Messages ------------------------------------------------------------

    sendText() {
      if (this.busy) {
        this.status.textContent = STRINGS.sending;
        return;
      }
      const text = this.input.value;
      if (!text.trim()) {
        this.input.focus();
        return;
      }
      this.input.value = "";
      // The about panel has been read by now; the conversation needs the room.
      this.setAboutOpen(false);
      this.addEntry({ role: "visitor", text });
      this.send({ text });
    }

    /** @param {{title: string, payload: string}} button */
    pressButton(button) {
      if (this.busy) {
        this.status.textContent = STRINGS.sending;
        return;
      }
      this.removeQuickReplies();
      this.addEntry({ role: "visitor", text: button.title, payload: button.payload });
      this.send({ payload: button.payload });
      this.input.focus();
    }

    /**
     * Send a turn and show the reply, or the built-in help when it fails.
     * @param {{text?: string, payload?: string}} turn
     */
    async send(turn) {
      this.pendingTurn = turn;
      this.removeNotices();
      this.setBusy(true);
      const slowTimer = setTimeout(() => {
        this.status.textContent = STRINGS.slow;
      }, SLOW_NOTICE_MS);

      try {
        const reply = await this.gateway.send(turn);
        if (this.exiting) {
          return;
        }
        if (reply.conversation_deleted) {
          storage.remove(STORAGE_KEYS.conversation);
          storage.remove(STORAGE_KEYS.reference);
        }
        if (reply.assistant_unavailable) {
          this.showUnavailable(null);
          return;
        }
        this.pendingTurn = null;
        for (const message of reply.messages || []) {
          this.addEntry({
            role: "assistant",
            text: typeof message.text === "string" ? message.text : "",
            buttons: Array.isArray(message.buttons) ? message.buttons : [],
          });
        }
      } catch (error) {
        if (!this.exiting) {
          this.showFailure(error);
        }
      } finally {
        clearTimeout(slowTimer);
        this.setBusy(false);
      }
    }

    /** @param {unknown} error */
    showFailure(error) {
      const kind = error instanceof GatewayError ? error.kind : "unavailable";
      if (kind === "too_large") {
        this.pendingTurn = null;
        this.addNotice([error.detail || STRINGS.tooLarge], false);
        return;
      }
      if (kind === "rate_limited") {
        const lines = [error.detail || STRINGS.rateLimited];
        if (error.retryAfterSeconds) {
          lines.push(STRINGS.retryAfter(error.retryAfterSeconds));
        }
        this.addNotice(lines, true);
        return;
      }
      this.showUnavailable(kind === "connection" ? STRINGS.connectionLost : null);
    }

    /**
     * Show the built-in help with 999, 101, True Vision and Stop Hate UK, and
     * a button that sends the failed turn again.
     * @param {string | null} reason
     */
    showUnavailable(reason) {
      const lines = reason ? [reason, ...STRINGS.unavailable] : STRINGS.unavailable;
      this.addNotice(lines, true);
    }

    /**
     * Add a notice from the widget itself. Notices are not kept in the
     * transcript, so a reload or a summary does not repeat them.
     * @param {string[]} lines
     * @param {boolean} canRetry
     */
    addNotice(lines, canRetry) {
      const notice = make("div", "message message--notice");
      notice.append(make("span", "message__label", STRINGS.noticeLabel));
      for (const line of lines) {
        const paragraph = make("p", "message__text");
        paragraph.append(linkify(line, document));
        notice.append(paragraph);
      }
      if (canRetry && this.pendingTurn) {
        const retry = make("button", "button button--secondary", STRINGS.retry, {
          type: "button",
        });
        retry.addEventListener("click", () => {
          if (this.pendingTurn && !this.busy) {
            this.input.focus();
            this.send(this.pendingTurn);
          }
        });
        notice.append(retry);
      }
      this.log.append(notice);
      this.scrollToEnd();
    }

    removeNotices() {
      for (const notice of this.log.querySelectorAll(".message--notice")) {
        notice.remove();
      }
    }

    /** Record an entry in the transcript and show it. */
    addEntry(entry) {
      const stamped = { ...entry, at: new Date().toISOString() };
      this.transcript.push(stamped);
      storage.set(STORAGE_KEYS.transcript, JSON.stringify(this.transcript));
      this.renderEntry(stamped);
      if (stamped.buttons && stamped.buttons.length > 0) {
        this.showQuickReplies(stamped.buttons);
      }
    }

    renderEntry(entry) {
      const visitor = entry.role === "visitor";
      const item = make("div", `message message--${visitor ? "visitor" : "assistant"}`);
      item.append(
        make(
          "span",
          "message__label",
          visitor ? STRINGS.visitorLabel : STRINGS.assistantLabel,
        ),
      );
      const text = make("p", "message__text");
      if (visitor) {
        text.textContent = entry.text;
      } else {
        text.append(linkify(entry.text, document));
      }
      item.append(text);
      this.log.append(item);
      this.scrollToEnd();
    }

    showButtonsOfLastReply() {
      const last = this.transcript[this.transcript.length - 1];
      if (last && last.role === "assistant" && last.buttons && last.buttons.length) {
        this.showQuickReplies(last.buttons);
      }
    }

    /** @param {Array<{title: string, payload: string}>} buttons */
    showQuickReplies(buttons) {
      this.removeQuickReplies();
      const group = make("div", "quick-replies", null, {
        role: "group",
        "aria-label": STRINGS.optionsLabel,
      });
      for (const button of buttons) {
        if (typeof button.title !== "string" || typeof button.payload !== "string") {
          continue;
        }
        const element = make("button", "button button--reply", button.title, {
          type: "button",
        });
        element.addEventListener("click", () => this.pressButton(button));
        group.append(element);
      }
      this.log.append(group);
      this.scrollToEnd();
    }

    removeQuickReplies() {
      for (const group of this.log.querySelectorAll(".quick-replies")) {
        group.remove();
      }
    }

    /** @param {boolean} busy */
    setBusy(busy) {
      this.busy = busy;
      this.typing.hidden = !busy;
      this.sendButton.setAttribute("aria-disabled", String(busy));
      this.status.textContent = busy ? STRINGS.typing : "";
    }

    scrollToEnd() {
      this.body.scrollTop = this.body.scrollHeight;
    }

    // --- Start again and summary ---------------------------------------------

    startAgain() {
      const conversationId = storage.get(STORAGE_KEYS.conversation);
      if (conversationId) {
        this.gateway.remove(conversationId);
      }
      storage.remove(STORAGE_KEYS.conversation);
      storage.remove(STORAGE_KEYS.reference);
      this.transcript = [];
      storage.set(STORAGE_KEYS.transcript, "[]");
      this.pendingTurn = null;
      this.log.replaceChildren();
      this.setSummaryOpen(false);
      this.addEntry({ role: "assistant", text: this.config.greeting, local: true });
      this.status.textContent = STRINGS.startedAgain;
      this.input.value = "";
      this.input.focus();
    }

    /** Return the log reference of the current conversation, if there is one. */
    reference() {
      return storage.get(STORAGE_KEYS.reference) || null;
    }

    setSummaryOpen(open) {
      this.summary.hidden = !open;
      this.saveButton.setAttribute("aria-expanded", String(open));
      if (!open) {
        this.summary.replaceChildren();
        return;
      }

      const summary = buildSummary(this.transcript, new Date(), this.reference());
      this.summary.replaceChildren(make("h3", "summary__title", STRINGS.summaryHeading));
      if (!this.transcript.some((entry) => entry.role === "visitor")) {
        this.summary.append(make("p", "", STRINGS.summaryEmpty));
      } else {
        renderSummary(summary, this.summary, 4);
        const actions = make("div", "summary__actions");
        const download = make("button", "button button--primary", STRINGS.download, {
          type: "button",
        });
        download.addEventListener("click", () => this.downloadSummary());
        const print = make("button", "button button--secondary", STRINGS.print, {
          type: "button",
        });
        print.addEventListener("click", () => this.printSummary());
        actions.append(download, print);
        this.summary.append(actions);
      }
      const back = make("button", "button button--secondary", STRINGS.backToChat, {
        type: "button",
      });
      back.addEventListener("click", () => {
        this.setSummaryOpen(false);
        this.saveButton.focus();
      });
      this.summary.append(back);
      this.summary.scrollIntoView({ block: "nearest" });
    }

    downloadSummary() {
      const now = new Date();
      const text = summaryToText(buildSummary(this.transcript, now, this.reference()));
      const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
      const link = make("a", "", null, {
        href: url,
        download: STRINGS.summaryFileName(now.toISOString().slice(0, 10)),
      });
      this.root.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    }

    /** Print the summary from a hidden frame, so the host page is not printed. */
    printSummary() {
      const frame = make("iframe", "print-frame", null, {
        title: STRINGS.summaryTitle,
        "aria-hidden": "true",
        tabindex: "-1",
      });
      this.root.append(frame);
      const doc = frame.contentDocument;
      doc.documentElement.lang = STRINGS.locale;
      doc.title = STRINGS.summaryTitle;
      const style = doc.createElement("link");
      style.rel = "stylesheet";
      style.href = new URL("summary.css", this.config.assetBase).href;
      doc.head.append(style);
      const heading = doc.createElement("h1");
      heading.textContent = STRINGS.summaryTitle;
      doc.body.append(heading);
      renderSummary(
        buildSummary(this.transcript, new Date(), this.reference()),
        doc.body,
        2,
      );

      const print = () => {
        frame.contentWindow.focus();
        frame.contentWindow.print();
        setTimeout(() => frame.remove(), 1000);
      };
      style.addEventListener("load", print);
      style.addEventListener("error", print);
    }

    // --- Quick exit ----------------------------------------------------------

    /**
     * Count presses of Shift on their own, as GOV.UK's Exit this page does:
     * a Shift released after a shifted key (a capital letter) does not count,
     * and any other key starts the count again.
     * @param {KeyboardEvent} event
     */
    countShift(event) {
      if (event.key === "Shift" && !this.lastKeyWasModified) {
        this.shiftPresses += 1;
        clearTimeout(this.shiftTimer);
        if (this.shiftPresses >= SHIFT_PRESSES_TO_EXIT) {
          this.shiftPresses = 0;
          this.exitPage();
          return;
        }
        this.shiftStatus.textContent =
          this.shiftPresses === 1 ? STRINGS.shiftTwoMore : STRINGS.shiftOneMore;
        this.shiftTimer = setTimeout(() => {
          this.shiftPresses = 0;
          this.shiftStatus.textContent = STRINGS.shiftExpired;
        }, SHIFT_TIMEOUT_MS);
      } else if (this.shiftPresses > 0) {
        this.shiftPresses = 0;
        clearTimeout(this.shiftTimer);
        this.shiftStatus.textContent = "";
      }
      this.lastKeyWasModified = event.shiftKey && event.key !== "Shift";
    }

    /**
     * Cover the page at once, forget the conversation in this browser, ask the
     * gateway to delete it, and replace this page with the neutral site. The
     * page is replaced in the session history, so Back does not return here.
     */
    exitPage() {
      if (this.exiting) {
        return;
      }
      this.exiting = true;
      this.cover.hidden = false;
      this.panel.hidden = true;
      this.launcher.hidden = true;

      const conversationId = storage.get(STORAGE_KEYS.conversation);
      storage.wipe();
      this.transcript = [];
      this.log.replaceChildren();
      this.input.value = "";
      if (conversationId) {
        this.gateway.remove(conversationId);
      }
      window.location.replace(this.config.exitUrl);
    }
  }

  // ---------------------------------------------------------------------------
  // Start-up

  /**
   * Return `value` if it is an http or https address, otherwise `fallback`, so
   * that a mistyped attribute cannot turn the exit into a script or a dead end.
   */
  function webAddress(value, fallback) {
    if (!value) {
      return fallback;
    }
    try {
      const url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : fallback;
    } catch {
      return fallback;
    }
  }

  /** Read the configuration from the data- attributes of the script tag. */
  function readConfig(script) {
    const data = script ? script.dataset : {};
    const scriptUrl = script && script.src ? new URL(script.src, document.baseURI) : null;
    const gatewayUrl = data.gatewayUrl || (scriptUrl ? scriptUrl.origin : window.location.origin);
    return {
      apiBase: `${gatewayUrl.replace(/\/+$/, "")}/api/chat`,
      assetBase: scriptUrl ? new URL("./", scriptUrl).href : document.baseURI,
      title: data.title || STRINGS.defaultTitle,
      greeting: data.greeting || STRINGS.defaultGreeting,
      colour: data.colour || data.color || DEFAULTS.colour,
      exitUrl: webAddress(data.exitUrl, DEFAULTS.exitUrl),
      safetyUrl: webAddress(data.safetyUrl, DEFAULTS.safetyUrl),
      open: data.open === "true",
    };
  }

  const script =
    document.currentScript || document.querySelector("script[src*='widget.js']");

  // Pure functions are exposed for the widget's own tests.
  const api = {
    internals: {
      findLinks,
      linkify: (text) => linkify(text, document),
      parseColour,
      contrastRatio,
      readableTextColour,
      buildSummary: (transcript, nowIso, reference) =>
        buildSummary(transcript, new Date(nowIso), reference || null),
      campaignFields,
      webAddress,
      summaryToText,
      strings: STRINGS,
    },
  };
  window.SpeakOutSpaceWidget = api;

  function start() {
    if (document.querySelector("speak-out-space-chat")) {
      return;
    }
    const host = document.createElement("speak-out-space-chat");
    document.body.append(host);
    const widget = new ChatWidget(host, readConfig(script));
    widget.start();
    api.open = () => widget.open(true);
    api.close = () => widget.close();
    api.exit = () => widget.exitPage();
  }

  function startSafely() {
    try {
      start();
    } catch (error) {
      // A broken embedding must not break the host page.
      console.error("The Speak Out Space chat could not start:", error);
    }
  }

  if (document.body) {
    startSafely();
  } else {
    document.addEventListener("DOMContentLoaded", startSafely);
  }
})();
