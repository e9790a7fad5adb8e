"""A terminal chat client for the gateway, for trying the assistant out."""

from __future__ import annotations

import httpx


def chat_in_terminal(base_url: str) -> int:
    """Open a conversation and relay lines between the terminal and the gateway."""
    with httpx.Client(base_url=base_url, timeout=30.0) as client:
        try:
            response = client.post("/api/chat/conversations")
            response.raise_for_status()
        except httpx.HTTPError as exc:
            print(f"Could not reach the assistant at {base_url}: {exc}")
            return 2

        conversation = response.json()["conversation_id"]
        print("Type a message, or a number to press a button. Ctrl+D to quit.")
        buttons: list[dict[str, str]] = []

        while True:
            try:
                line = input("you> ")
            except EOFError:
                client.delete(f"/api/chat/conversations/{conversation}")
                return 0

            body = button_or_text(line, buttons)
            reply = client.post(
                f"/api/chat/conversations/{conversation}/messages", json=body
            )
            buttons = print_reply(reply.json())


def button_or_text(line: str, buttons: list[dict[str, str]]) -> dict[str, str]:
    """Turn a typed button number into its payload, and anything else into text."""
    if line.strip().isdigit() and 0 < int(line) <= len(buttons):
        return {"payload": buttons[int(line) - 1]["payload"]}
    return {"text": line}


def print_reply(reply: dict) -> list[dict[str, str]]:
    """Print the assistant's messages and return the buttons of the last one."""
    buttons: list[dict[str, str]] = []

    for message in reply.get("messages", []):
        if message.get("text"):
            print(f"bot> {message['text']}\n")
        buttons = message.get("buttons") or buttons

    for number, button in enumerate(buttons, start=1):
        print(f"  [{number}] {button['title']}")
    return buttons
