"""Where `mirage up` serves the dashboard page: its own port on the gateway's host, none when asked, the gateway's alone
when the port is taken (said in the log, never a failed start)."""

from __future__ import annotations

import logging
import socket

import pytest

from mirage.embedded import dashboard_socket
from runtime.nats_server import free_port
from runtime.settings import Settings


def test_the_dashboard_port_is_bound_on_the_gateways_host() -> None:
    port = free_port()
    sock = dashboard_socket(Settings(host="127.0.0.1", port=free_port(), dashboard_port=port))
    assert sock is not None
    try:
        assert sock.getsockname() == ("127.0.0.1", port)
    finally:
        sock.close()


@pytest.mark.parametrize("same_as_gateway", [False, True])
def test_no_port_of_its_own_when_asked_or_when_it_is_the_gateways(same_as_gateway: bool) -> None:
    gateway_port = free_port()
    settings = Settings(port=gateway_port, dashboard_port=gateway_port if same_as_gateway else 0)
    assert dashboard_socket(settings) is None


def test_a_port_in_use_is_said_and_the_gateway_starts_anyway(caplog: pytest.LogCaptureFixture) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with caplog.at_level(logging.WARNING, logger="mirage.embedded"):
            assert dashboard_socket(Settings(host="127.0.0.1", port=free_port(), dashboard_port=port)) is None
    assert f"port {port} is not available" in caplog.text and "/dashboard" in caplog.text
