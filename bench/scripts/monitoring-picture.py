"""Draws the monitoring picture from Prometheus's query_range answers (run by monitoring-picture.sh).

Environment: PROM (Prometheus's URL; empty: read the answers kept in OUT by an earlier run), START and END (unix
seconds of the load), STEP, OUT, PNG, PHASES (SECONDS:CLIENTS:PIPELINE ...).
"""
import datetime
import json
import os
import urllib.parse
import urllib.request

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

prom, out = os.environ.get("PROM", ""), os.environ["OUT"]
start, end, step = int(os.environ["START"]), int(os.environ["END"]), os.environ["STEP"]
W = "[5s]"  # rates over 5 s: five scrapes at the 1 s interval


def q(name, promql):
    """The series of one query: (labels, seconds since START, values); queried, or read back from OUT."""
    path = os.path.join(out, name + ".json")
    if prom:
        url = prom + "/api/v1/query_range?" + urllib.parse.urlencode(
            {"query": promql, "start": start - 10, "end": end, "step": step})
        body = json.load(urllib.request.urlopen(url))
        with open(path, "w") as f:
            json.dump({"query": promql, "answer": body}, f)
    else:
        with open(path) as f:
            body = json.load(f)["answer"]
    series = []
    for r in body["data"]["result"]:
        xs = [float(t) - start for t, _ in r["values"]]
        ys = [float(v) for _, v in r["values"]]
        series.append((r["metric"], xs, ys))
    return series


cmds = 'command=~"set|get|lpush"'
# (title, [(file name, PromQL, legend label)], scale, log scale)
panels = [
    ("commands per second (qrrot_commands_total)",
     [("rate", f'sum by (command) (rate(qrrot_commands_total{{{cmds}}}{W}))', lambda m: m["command"])], 1, False),
    ("p99 time to run a command, ms (qrrot_command_duration_seconds)",
     [("p99", f'histogram_quantile(0.99, sum by (le, command) '
              f'(rate(qrrot_command_duration_seconds_bucket{{{cmds}}}{W})))', lambda m: m["command"])], 1e3, True),
    ("WAL fsync time, ms (qrrot_wal_fsync_duration_seconds)",
     [("fsync_p99", f'histogram_quantile(0.99, sum by (le) (rate(qrrot_wal_fsync_duration_seconds_bucket{W})))',
       lambda m: "p99"),
      ("fsync_p50", f'histogram_quantile(0.50, sum by (le) (rate(qrrot_wal_fsync_duration_seconds_bucket{W})))',
       lambda m: "p50")], 1e3, True),
    ("records per WAL write: group commit (qrrot_wal_batch_records)",
     [("batch_mean", f'rate(qrrot_wal_batch_records_sum{W}) / rate(qrrot_wal_batch_records_count{W})',
       lambda m: "mean"),
      ("batch_p99", f'histogram_quantile(0.99, sum by (le) (rate(qrrot_wal_batch_records_bucket{W})))',
       lambda m: "p99")], 1, False),
    ("keys (qrrot_keys; redis_exporter's redis_db_keys)",
     [("keys", 'sum(qrrot_keys)', lambda m: "sum(qrrot_keys)"),
      ("db_keys", 'redis_db_keys{db="db0"}', lambda m: 'redis_db_keys{db="db0"} (dashed)')], 1, False),
    ("memory, MiB",
     [("rss", 'process_resident_memory_bytes{job="qrrot"}', lambda m: "process_resident_memory_bytes"),
      ("heap", 'sum(jvm_memory_used_bytes{area="heap"})', lambda m: "jvm_memory_used_bytes heap"),
      ("data", 'qrrot_memory_used_bytes', lambda m: "qrrot_memory_used_bytes (off-heap data)")], 1 / 2**20, False),
]

fig, axes = plt.subplots(3, 2, figsize=(14, 11), sharex=True)
for ax, (title, queries, scale, log) in zip(axes.flat, panels):
    for name, promql, label in queries:
        for metric, xs, ys in q(name, promql):
            ax.plot(xs, [y * scale for y in ys], label=label(metric), linewidth=1.2,
                    linestyle="--" if name == "db_keys" else "-")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3, which="both" if log else "major")
    ax.legend(fontsize=8, loc="upper left")
    if log:
        ax.set_yscale("log")
    else:
        ax.set_ylim(bottom=0)
t, described = 0, []
for phase in os.environ["PHASES"].split():
    secs, clients, pipeline = (int(x) for x in phase.split(":"))
    for ax in axes.flat:
        ax.axvline(t, color="grey", linewidth=0.5, linestyle=":")
    described.append(f"{t}-{t + secs} s " + ("pause" if clients == 0 else f"{clients} clients per command, -P {pipeline}"))
    t += secs
for ax in axes[-1]:
    ax.set_xlabel("seconds since the load started")
when = datetime.datetime.fromtimestamp(start, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
fig.suptitle("qrrot serve --fsync always under three redis-benchmark runs side by side (set, get, lpush), "
             f"scraped every 1 s by Prometheus, rates over 5 s; {when}\n" + "; ".join(described), fontsize=10)
fig.tight_layout(rect=(0, 0, 1, 0.96))
fig.savefig(os.environ["PNG"], dpi=80)
print(os.environ["PNG"])
