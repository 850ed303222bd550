# Shared by the bench scripts (source it; it defines functions only).

# free_port: prints a loopback TCP port nobody listens on (a random one in 20000-59999), or fails.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "$(basename "$0"): no free port found" >&2
  return 1
}
