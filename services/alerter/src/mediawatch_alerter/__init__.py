"""The alerter: rules judge pipeline, window, resource and health events; the alert book turns
their findings into AlertRaised and AlertResolved events on the alerts topic."""
