import json
import logging

from backend.infra.logging import JsonFormatter, redact, request_id_var


def test_phone_numbers_are_masked_in_logs():
    assert redact("called 13812345678 about the order") == "called 138****5678 about the order"


def test_tokens_and_codes_never_reach_the_log():
    line = redact('refresh_token=abc.def code: 081xYz token="eyJhbGciOi.eyJzdWIiOiIx.sig123456"')
    assert "abc.def" not in line and "081xYz" not in line and "eyJzdWIiOiIx" not in line


def test_each_log_line_is_json_with_the_request_id():
    request_id_var.set("req-123456")
    record = logging.LogRecord("backend", logging.INFO, __file__, 1, "user 13900001111 logged in", None, None)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["request_id"] == "req-123456"
    assert entry["message"] == "user 139****1111 logged in"
