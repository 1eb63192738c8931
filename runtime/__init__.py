"""The runtime layer: NATS, JetStream topology, delivery, settings, telemetry; imports no worker and not the gateway."""
