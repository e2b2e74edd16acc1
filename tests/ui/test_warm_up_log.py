"""The start-up warm-up fills Streamlit's caches outside any browser session on purpose;
Streamlit's "missing ScriptRunContext" warnings for it must not fill the server's log
(a finance user reading it took them for errors), while the same warning from any other
thread still shows."""

from __future__ import annotations

import logging
import threading

import pytest

from ui.quiet_logs import WARM_UP_THREAD, quiet_streamlit_context_warnings

LOGGER = "streamlit.runtime.scriptrunner_utils.script_run_context"


def _warn_from(thread_name: str) -> None:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    worker = threading.Thread(target=get_script_run_ctx, name=thread_name)
    worker.start()
    worker.join()


def test_only_the_warm_up_threads_context_warnings_are_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    quiet_streamlit_context_warnings()
    quiet_streamlit_context_warnings()  # idempotent
    assert len(logging.getLogger(LOGGER).filters) == 1
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        _warn_from(WARM_UP_THREAD)
        _warn_from("AnyIO worker thread")
        _warn_from("someone-else")
    warned = [r.threadName for r in caplog.records if "ScriptRunContext" in r.getMessage()]
    assert warned == ["someone-else"]
