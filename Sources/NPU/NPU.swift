// NPU module
