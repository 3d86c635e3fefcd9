#!/usr/bin/env bash
# What the tests need from Debian besides Node: Chromium (the real browser for end-to-end tests) and
# Mosquitto (a real external MQTT broker), ffmpeg (camera decoding, also needed to run cameras). Installs only what is missing; needs root (or sudo).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
if [ ${#need[@]} -eq 0 ]; then
  echo "test dependencies present: chromium, mosquitto, ffmpeg"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
# Debian starts a mosquitto service on 1883 when it can; the tests start their own on a free port.
