#!/bin/sh
# Web benchmark: capture-to-screen latency in headless Chromium (JPEG canvas and H.264 MSE paths) and hub CPU per
# browser viewer. Builds the Release CLI, then runs bench/Parley.WebBench with any arguments given here.
# Writes bench/results/web-latency.json and bench/results/web-latency-figures.md. See bench/web/README.md.
set -eu
cd "$(dirname "$0")/../.."
dotnet build src/Parley.Cli -c Release -v q -nologo
dotnet run -c Release --project bench/Parley.WebBench -- "$@"
