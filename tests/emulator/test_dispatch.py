"""Dispatcher behaviours that need their own route table or store: public pages,
errors that keep their writes, idempotency-key length."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route as StarletteRoute

from stripe_emulator.app import Dispatcher
from stripe_emulator.backend.registry import open_state
from stripe_emulator.lib.errors import CardError
from stripe_emulator.lib.routing import PageAnswer, get, page, post
from stripe_emulator.lib.storage import Store, register_ddl
from tests.emulator.helpers import tag

register_ddl("CREATE TABLE IF NOT EXISTS test_attempts (note TEXT)")


@pytest.fixture
def dispatcher_client(tmp_path):
    state = open_state(tmp_path / "dispatch.sqlite3")

    def declined(call):
        state.store.execute("INSERT INTO test_attempts (note) VALUES ('attempt')")
        raise CardError("Your card was declined.", code="card_declined",
                        decline_code="generic_decline", keep_changes=True)

    def hosted(call):
        return PageAnswer(f"<h1>Invoice {call.path_params['id']}</h1>")

    def attempts(call):
        return {"count": state.store.execute("SELECT COUNT(*) FROM test_attempts")[0][0]}

    routes = [post("/v1/declines", declined), get("/v1/attempts", attempts),
              page("/invoices/{id}/hosted", hosted)]
    dispatcher = Dispatcher(state, routes)
    app = Starlette(routes=[StarletteRoute("/{path:path}", dispatcher.handle,
                                           methods=["GET", "POST"])])
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    with httpx.Client(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}") as client:
        yield client
    server.should_exit = True
    thread.join(timeout=5)
    state.stop()


def test_public_pages_need_no_key(dispatcher_client):
    answer = dispatcher_client.get("/invoices/in_123/hosted")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "Invoice in_123" in answer.text


def test_a_card_error_keeps_the_attempt_and_answers_402(dispatcher_client):
    auth = {"Authorization": "Bearer sk_test_x"}
    answer = dispatcher_client.post("/v1/declines", headers=auth)
    assert answer.status_code == 402
    assert answer.json()["error"] == {
        "type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
        "message": "Your card was declined.",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "request_log_url": answer.json()["error"]["request_log_url"],
    }
    assert dispatcher_client.get("/v1/attempts", headers=auth).json() == {"count": 1}


def test_store_rolls_back_other_errors_and_nested_savepoints(tmp_path):
    store = Store(tmp_path / "tx.sqlite3")
    store.execute("CREATE TABLE notes (text TEXT)")
    with pytest.raises(ValueError), store.transaction():
        store.execute("INSERT INTO notes VALUES ('lost')")
        raise ValueError("boom")
    with store.transaction():
        store.execute("INSERT INTO notes VALUES ('kept')")
        with pytest.raises(ValueError), store.transaction():
            store.execute("INSERT INTO notes VALUES ('inner')")
            raise ValueError("inner boom")
    assert store.execute("SELECT text FROM notes") == [("kept",)]
    store.close()


def test_overlong_idempotency_key_is_refused(emulator):
    answer = httpx.post(f"{emulator.base_url}/v1/customers",
                        headers={"Authorization": "Bearer sk_test_x",
                                 "Idempotency-Key": "k" * 256 + tag()})
    assert answer.status_code == 400
    assert "Idempotency-Key" in answer.json()["error"]["message"]
