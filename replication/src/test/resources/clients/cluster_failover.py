"""redis-py's RedisCluster across a leader failover of a three-node qrrot group.

Usage: cluster_failover.py <port> [<port> ...]  (the group's client ports on 127.0.0.1)

Protocol on stdout/stdin, one line each:
  WROTE <key> <value>   a write the cluster acknowledged
  PHASE1                the writes before the failover are done; waits for a line on stdin (the test kills the
                        leader, then writes KILLED)
  READ <key> <value>    after the second phase, every key read back through the same client object
  DONE                  exit 0 follows
The same RedisCluster object is used throughout; each write is retried on any error for up to 30 s, as an
application would during an election. Not only on RedisError: redis-py 4.3.4, re-reading the topology after the
master died, reuses its cached node object for the new master with the role it had (replica), finds no master
and fails with a bare IndexError (NodesManager.initialize; _get_or_create_cluster_node does not update the role
of a node it reuses). The next attempt then succeeds.
"""
import sys
import time

import redis
from redis.cluster import ClusterNode, RedisCluster

ports = [int(p) for p in sys.argv[1:]]


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def retry(what, fn, seconds=30.0):
    end = time.monotonic() + seconds
    last = None
    while True:
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - see the docstring
            last = e
            if time.monotonic() > end:
                raise RuntimeError("%s: still failing after %.0f s: %r" % (what, seconds, last))
            say("RETRY %s %s: %s" % (what, type(e).__name__, str(e).replace("\n", " ")))
            time.sleep(0.2)


# redis-py 4.3.4 (Debian 12's python3-redis) cannot re-read the topology through a startup node that has no
# connection yet: making one deep-copies connection arguments that hold the client itself, which fails
# ("cannot pickle '_thread.lock' object"; redis-py #2377, fixed in 4.4.0). It connects only to the first startup
# node that answers, and by default replaces its startup nodes with the nodes of the last topology; so once the
# master it used dies, every later attempt to find the new one fails. The workaround: each startup node is given
# its own connection up front, and dynamic_startup_nodes=False keeps these nodes (and connections) as the
# startup nodes; the dead one then fails to connect and the topology is read from the next.
nodes = [ClusterNode("127.0.0.1", p, redis_connection=redis.Redis(host="127.0.0.1", port=p, socket_timeout=5,
                                                                  socket_connect_timeout=2, decode_responses=True))
         for p in ports]
rc = retry("connect", lambda: RedisCluster(startup_nodes=nodes, socket_timeout=5, socket_connect_timeout=2,
                                           dynamic_startup_nodes=False, decode_responses=True))
written = {}


def write(key, value):
    ok = retry("SET " + key, lambda: rc.set(key, value))
    if ok is not True:
        raise RuntimeError("SET %s replied %r" % (key, ok))
    written[key] = value
    say("WROTE %s %s" % (key, value))


for i in range(20):
    write("py:k%d" % i, "before-%d" % i)
say("PHASE1")
if sys.stdin.readline().strip() != "KILLED":
    raise RuntimeError("expected KILLED on stdin")
for i in range(20, 40):
    write("py:k%d" % i, "after-%d" % i)
for key in sorted(written):
    say("READ %s %s" % (key, retry("GET " + key, lambda: rc.get(key))))
rc.close()
say("DONE")
