"""Support analytics: ticket volume, time to resolution, satisfaction and repeat contacts."""
