#!/bin/sh
# `pnpm models:train`: everything from the shipped COCO graph to the committed VN models (about 20 min on a
# 2-core CPU). Needs Debian's PyTorch: apt-get install python3-torch python3-numpy python3-pil
set -e
cd "$(dirname "$0")/../.."
tsx models/train/dump-graph.ts nanodet-416
nice -n 10 /usr/bin/python3 models/train/train.py "$@"
tsx models/train/export-onnx.ts nanodet-416-vn --update-manifest
tsx models/train/parity.ts nanodet-416-vn
# The default: the same weights on a 480×480 input (see models/REPORT-vn.md for why 480).
/usr/bin/python3 models/train/resize_graph.py models/train/.work/nanodet-416-vn models/train/.work/nanodet-480-vn 480
tsx models/train/export-onnx.ts nanodet-480-vn --update-manifest
tsx models/train/parity.ts nanodet-480-vn
# The int8 variant of the default (1.6× faster on one core; models/REPORT-vn.md, *int8*).
/usr/bin/python3 models/train/calibrate.py models/train/.work/nanodet-480-vn models/train/.work/nanodet-480-vn/ranges.json
tsx models/train/export-onnx.ts nanodet-480-vn-int8 models/train/.work/nanodet-480-vn --int8=models/train/.work/nanodet-480-vn/ranges.json --update-manifest
