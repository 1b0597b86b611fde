{
  "targets": [
    {
      "target_name": "floatip_sock",
      "sources": ["src/sock.c", "src/tcp-check.c", "src/repeat.c"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
