// Chat page of Speak Out Space: sends visitor turns to the chat gateway and
// shows the assistant's replies. Server text is only ever set with
// textContent, never parsed as HTML.

const STRINGS = {
  visitorLabel: "You",
  assistantLabel: "Assistant",
  optionsLabel: "Options",
  sending: "Sending your message…",
  fallback: [
    "Sorry, the assistant isn't available right now. You can still get help:",
    "If you are in danger now, call 999.",
    "To report to the police when it is not an emergency, call 101.",
    "You can report hate crime online to True Vision at https://www.report-it.org.uk",
    "Stop Hate UK's helpline is open 24 hours a day on 0800 138 1625.",
  ].join("\n"),
  tooLarge:
    "Sorry, that message is too large to send. Please shorten it, or send it in a few parts.",
  startedAgain: "You have started a new conversation.",
};

const EXIT_URL = "https://www.bbc.co.uk/weather";
const STORAGE_KEY = "speakOutSpace.conversationId";

// URLs with a scheme or starting with www., and UK phone numbers: the short
// codes 999, 101, 111 and 116 123, and numbers of 10 or 11 digits starting with
// 0, or with +44 in place of the 0.
const LINK_PATTERN =
  /(https?:\/\/[^\s<>"]+|www\.[^\s<>"]+)|(\b(?:999|101|111|116 ?123)\b|(?:\+44 ?|\b0)\d(?:[ -]?\d){8,9}\b)/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]'"]+$/;

/**
 * Build a fragment of text nodes and links from server text.
 * @param {string} text
 * @returns {DocumentFragment}
 */
function linkify(text) {
  const fragment = document.createDocumentFragment();
  let position = 0;

  for (const match of text.matchAll(LINK_PATTERN)) {
    let found = match[0];
    if (match[1]) {
      found = found.replace(TRAILING_PUNCTUATION, "");
    }
    fragment.append(text.slice(position, match.index));
    fragment.append(createLink(found, Boolean(match[1])));
    position = match.index + found.length;
  }

  fragment.append(text.slice(position));
  return fragment;
}

/**
 * Create a link for a URL or a phone number found in server text.
 * @param {string} found
 * @param {boolean} isUrl
 * @returns {Node}
 */
function createLink(found, isUrl) {
  const link = document.createElement("a");
  link.textContent = found;

  if (!isUrl) {
    link.href = `tel:${found.replace(/[^\d+]/g, "")}`;
    return link;
  }

  const withScheme = found.startsWith("www.") ? `https://${found}` : found;
  let url;
  try {
    url = new URL(withScheme);
  } catch {
    return document.createTextNode(found);
  }
  link.href = url.href;
  link.rel = "noreferrer";
  return link;
}

class ChatPage {
  /**
   * @param {HTMLFormElement} form
   */
  constructor(form) {
    this.form = form;
    this.apiBase = form.dataset.apiBase;
    this.input = requireElement("message-input");
    this.log = requireElement("chat-log");
    this.status = requireElement("chat-status");
    this.startAgainButton = requireElement("start-again");
    this.exitLink = requireElement("exit-page");
    this.busy = false;
  }

  start() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendText();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        this.sendText();
      }
    });
    this.startAgainButton.addEventListener("click", () => this.startAgain());
    this.exitLink.addEventListener("click", (event) => {
      event.preventDefault();
      this.exitPage();
    });
  }

  sendText() {
    const text = this.input.value;
    if (this.busy) {
      return;
    }
    if (text.trim()) {
      this.addMessage("visitor", text);
    }
    this.input.value = "";
    this.send({ text });
  }

  /**
   * @param {{title: string, payload: string}} button
   */
  sendButton(button) {
    if (this.busy) {
      return;
    }
    this.removeQuickReplies();
    this.addMessage("visitor", button.title);
    this.send({ payload: button.payload });
  }

  /**
   * Post one turn and show the reply, or the built-in fallback on failure.
   * @param {{text?: string, payload?: string}} turn
   */
  async send(turn) {
    this.setBusy(true);
    try {
      const messages = await this.postTurn(turn);
      for (const message of messages) {
        this.addMessage("assistant", message.text, message.buttons);
      }
    } catch (error) {
      this.addMessage("assistant", error.visitorMessage || STRINGS.fallback);
    } finally {
      this.setBusy(false);
      this.input.focus();
    }
  }

  /**
   * Return the assistant's messages, starting a new conversation once if the
   * server returns 404 for the stored one.
   * @param {{text?: string, payload?: string}} turn
   * @returns {Promise<Array<{text: string, buttons: Array}>>}
   */
  async postTurn(turn) {
    let response = await this.postMessage(await this.conversationId(), turn);
    if (response.status === 404) {
      sessionStorage.removeItem(STORAGE_KEY);
      response = await this.postMessage(await this.conversationId(), turn);
    }
    if (response.status === 413) {
      throw visitorError(await readDetail(response, STRINGS.tooLarge));
    }
    if (!response.ok) {
      throw visitorError(STRINGS.fallback);
    }
    const body = await response.json();
    if (body.conversation_deleted) {
      // The server deleted the conversation; the next turn starts a new one.
      sessionStorage.removeItem(STORAGE_KEY);
    }
    return body.messages;
  }

  /**
   * @param {string} conversationId
   * @param {{text?: string, payload?: string}} turn
   * @returns {Promise<Response>}
   */
  postMessage(conversationId, turn) {
    return fetch(`${this.apiBase}/conversations/${conversationId}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(turn),
    });
  }

  /**
   * Return the stored conversation id, or ask the server for a new one.
   * @returns {Promise<string>}
   */
  async conversationId() {
    const stored = sessionStorage.getItem(STORAGE_KEY);
    if (stored) {
      return stored;
    }
    const response = await fetch(`${this.apiBase}/conversations`, {
      method: "POST",
    });
    if (!response.ok) {
      throw visitorError(STRINGS.fallback);
    }
    const body = await response.json();
    sessionStorage.setItem(STORAGE_KEY, body.conversation_id);
    return body.conversation_id;
  }

  /** Ask the server to delete the conversation, even if the page is closing. */
  deleteConversation() {
    const conversationId = sessionStorage.getItem(STORAGE_KEY);
    sessionStorage.clear();
    if (!conversationId) {
      return;
    }
    fetch(`${this.apiBase}/conversations/${conversationId}`, {
      method: "DELETE",
      keepalive: true,
    }).catch(() => {});
  }

  startAgain() {
    this.deleteConversation();
    this.log.replaceChildren();
    this.status.textContent = STRINGS.startedAgain;
    this.input.value = "";
    this.input.focus();
  }

  exitPage() {
    this.deleteConversation();
    window.location.replace(EXIT_URL);
  }

  /**
   * @param {"visitor" | "assistant"} role
   * @param {string} text
   * @param {Array<{title: string, payload: string}>} [buttons]
   */
  addMessage(role, text, buttons = []) {
    const item = document.createElement("div");
    item.className = `chat-message chat-message--${role}`;

    const label = document.createElement("span");
    label.className = "chat-message__label";
    label.textContent =
      role === "visitor" ? STRINGS.visitorLabel : STRINGS.assistantLabel;

    const body = document.createElement("p");
    body.className = "chat-message__text";
    body.append(role === "assistant" ? linkify(text) : text);

    item.append(label, body);
    if (buttons.length > 0) {
      item.append(this.createQuickReplies(buttons));
    }
    this.log.append(item);
    item.scrollIntoView({ block: "nearest" });
  }

  /**
   * @param {Array<{title: string, payload: string}>} buttons
   * @returns {HTMLElement}
   */
  createQuickReplies(buttons) {
    this.removeQuickReplies();
    const group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", STRINGS.optionsLabel);

    for (const button of buttons) {
      const element = document.createElement("button");
      element.type = "button";
      element.className = "button button--secondary quick-replies__button";
      element.textContent = button.title;
      element.addEventListener("click", () => this.sendButton(button));
      group.append(element);
    }
    return group;
  }

  removeQuickReplies() {
    for (const group of this.log.querySelectorAll(".quick-replies")) {
      group.remove();
    }
  }

  /**
   * @param {boolean} busy
   */
  setBusy(busy) {
    this.busy = busy;
    this.status.textContent = busy ? STRINGS.sending : "";
    this.form.setAttribute("aria-busy", String(busy));
  }
}

/**
 * @param {string} message
 * @returns {Error}
 */
function visitorError(message) {
  const error = new Error(message);
  error.visitorMessage = message;
  return error;
}

/**
 * Return the JSON `detail` of an error response, or `fallback`.
 * @param {Response} response
 * @param {string} fallback
 * @returns {Promise<string>}
 */
async function readDetail(response, fallback) {
  try {
    const body = await response.json();
    return typeof body.detail === "string" ? body.detail : fallback;
  } catch {
    return fallback;
  }
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
function requireElement(id) {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`Chat page markup is missing the element #${id}`);
  }
  return element;
}

const chatForm = document.getElementById("chat-form");
if (chatForm && !chatForm.dataset.started) {
  chatForm.dataset.started = "true";
  new ChatPage(chatForm).start();
}
