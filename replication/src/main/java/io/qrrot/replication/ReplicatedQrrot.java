package io.qrrot.replication;

import io.qrrot.engine.CommandArgs;
import io.qrrot.engine.CommandSpec;
import io.qrrot.engine.EffectCodec;
import io.qrrot.engine.EffectLogException;
import io.qrrot.engine.Engine;
import io.qrrot.engine.ReplySink;
import io.qrrot.recovery.Cluster;
import io.qrrot.recovery.EngineInfo;
import io.qrrot.recovery.Qrrot;
import io.qrrot.recovery.QrrotOptions;
import io.qrrot.recovery.Slots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database that is one member of a Raft group: the engine in memory, the Raft log (Ratis) as its log.
 *
 * <p><b>Leading.</b> The leader runs commands as a single node does: the engine computes each effect under
 * its shard locks, hands it to the {@link ReplicatedLog} and applies it at once, so later commands see it.
 * Each end of batch makes the gathered effects one Raft entry; a reply (a read's too) is released only when
 * every position up to the one it observed is committed: a majority has it in its fsynced log. So an
 * acknowledged write survives the loss of any minority, and no client reads a write a failover could lose.
 *
 * <p><b>Following.</b> A follower applies committed entries in log order ({@link #applyCommitted}); it runs
 * no writes (the server answers {@code MOVED} to the leader) and serves reads only to clients that sent
 * READONLY, from memory that may lag the leader by the entries not yet applied.
 *
 * <p><b>Losing the lead.</b> The leader's memory holds effects before they are committed. When it stops
 * leading, it stops taking writes at once; as its applier reaches the entries of the next term, it checks
 * that every effect it applied reached the log (each batch names the last position of the batch before
 * it). If one did not, memory is cleared and rebuilt from the committed log ({@link #rebuild}) before the
 * node serves again: nothing of a lost write survives anywhere.
 *
 * <p>An entry that cannot be applied stops the node: it leaves the group rather than diverge.
 */
public final class ReplicatedQrrot implements Qrrot, Cluster {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicatedQrrot.class);
    private static final long EXPIRE_PERIOD_MILLIS = 100;
    private static final int EXPIRE_BUDGET = 2000;
    /** The largest effect a replicated command may have (one Raft entry must carry it). */
    static final int MAX_EFFECT_BYTES = 8 << 20;
    /** System properties that pass a Ratis setting through: {@code qrrot.raft.<Ratis key>}. */
    static final String RAFT_PROPERTY_PREFIX = "qrrot.raft.";

    private final ClusterConfig config;
    private final QrrotOptions options;
    private final Engine engine;
    private final ReplicatedLog log;
    private final ClusterConfig.Peer self;
    private final long origin;
    private final RaftPeerId selfId;
    private final RaftGroupId groupId;
    private final RaftGroup group;
    private final RaftServer server;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread expirer;
    /** Sessions run under its read lock; a rebuild of memory takes its write lock. */
    private final ReentrantReadWriteLock memory = new ReentrantReadWriteLock();
    private final byte[] clearRecord;

    /** The leader as last told by Ratis, or null. */
    private volatile ClusterConfig.Peer leader;
    /** The last leader Ratis named (kept through elections), or null before the first. */
    private volatile ClusterConfig.Peer lastLeader;
    private volatile String stopped;

    // the applier thread's state
    /** The epoch whose own effects memory holds ahead of the log (-1: none). */
    private long speculativeEpoch = -1;
    /** The last position of this node's own effects that the applier has seen in the log, in that epoch. */
    private long ownApplied;
    private volatile long rebuilds;
    private volatile long lastRebuildMillis;

    private ReplicatedQrrot(ClusterConfig config, QrrotOptions options) throws IOException {
        this.config = config;
        this.options = options;
        this.self = config.self();
        this.origin = self.origin();
        this.selfId = RaftPeerId.valueOf(self.name());
        this.groupId = RaftGroupId.valueOf(config.groupId());
        this.engine = options.newEngine(0);
        this.log = new ReplicatedLog(origin, MAX_EFFECT_BYTES);
        this.log.submitter(new RaftSubmitter());
        UnsafeBuffer clear = new UnsafeBuffer(new byte[EffectCodec.HEADER_LENGTH + EffectCodec.CLEAR_LENGTH]);
        EffectCodec.encodeHeader(clear, 0, 1);
        EffectCodec.encodeClear(clear, EffectCodec.HEADER_LENGTH);
        this.clearRecord = clear.byteArray();

        List<RaftPeer> peers = new ArrayList<>();
        for (ClusterConfig.Peer p : config.peers()) {
            peers.add(RaftPeer.newBuilder().setId(p.name()).setAddress(p.host() + ":" + p.raftPort()).build());
        }
        Path raftDir = config.dir().resolve("raft");
        Files.createDirectories(raftDir);
        boolean existing = Files.isDirectory(raftDir.resolve(config.groupId().toString()));
        this.group = RaftGroup.valueOf(groupId, peers);
        this.server = RaftServer.newBuilder()
                .setServerId(selfId)
                .setGroup(group)
                .setProperties(properties(config, raftDir))
                .setStateMachine(new EngineStateMachine(this))
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
        this.expirer = new Thread(this::expireLoop, "qrrot-expirer");
        this.expirer.setDaemon(true);
    }

    /**
     * Starts this node: opens (or makes) its Raft log under {@code config.dir()/raft}, replays it into memory
     * and joins the group. Returns at once; the node serves reads and writes once a leader is elected.
     */
    public static ReplicatedQrrot open(ClusterConfig config, QrrotOptions options) throws IOException {
        ReplicatedQrrot db = new ReplicatedQrrot(config, options);
        try {
            db.server.start();
        } catch (IOException | RuntimeException e) {
            db.server.close();
            db.engine.close();
            throw e;
        }
        db.expirer.start();
        return db;
    }

    static RaftProperties properties(ClusterConfig c, Path raftDir) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setHost(p, c.self().host());
        GrpcConfigKeys.Server.setPort(p, c.self().raftPort());
        TimeDuration min = TimeDuration.valueOf(c.electionMinMillis(), TimeUnit.MILLISECONDS);
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, min);
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, min.multiply(2));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, min.multiply(3));
        // A leader that stepped down waits this long before it stands again (Ratis: 10 s). When it holds the
        // longest log, no other member can win meanwhile, and the group would stay without a leader that long.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, min.multiply(2));
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, c.leaderLease());
        // Replies wait for the follower's fsync (the default, said here because it is the promise).
        RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
        // No metadata entry (the commit index) written and fsynced after each commit: Raft needs no commit index
        // on disk (a restarted member learns it from the leader), and it doubled the fsyncs of every write
        // (one client's SET took 10 ms with it, 6 without; docs/benchmarks.md).
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // More appends in flight to each follower than Ratis's 8: entries are whole batches, and a pipelined
        // load keeps more than 8 of them going.
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p, 128);
        // An entry must fit the appender's buffer, a segment and a gRPC message.
        // (Ratis wants the write buffer, a direct buffer, 8 bytes larger than the appender's limit.)
        SizeInBytes entry = SizeInBytes.valueOf(MAX_EFFECT_BYTES + (1L << 20));
        RaftServerConfigKeys.Log.Appender.setBufferByteLimit(p, entry);
        RaftServerConfigKeys.Log.setWriteBufferSize(p, SizeInBytes.valueOf(entry.getSize() + 8));
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(64L << 20));
        GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf(2 * entry.getSize()));
        RaftServerConfigKeys.Write.setElementLimit(p, 1 << 16);
        RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf(1L << 30));
        // Each batch is a new request that is never retried: keep the retry cache short.
        RaftServerConfigKeys.RetryCache.setExpiryTime(p, TimeDuration.valueOf(5, TimeUnit.SECONDS));
        // Any Ratis setting, for tuning: -Dqrrot.raft.raft.server.log.force.sync.num=64 sets that key.
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(RAFT_PROPERTY_PREFIX)) {
                p.set(name.substring(RAFT_PROPERTY_PREFIX.length()), System.getProperty(name));
            }
        }
        return p;
    }

    // ---------------------------------------------------------------- Qrrot

    @Override
    public Session newSession() {
        return new ReplicatedSession(engine.newSession());
    }

    @Override
    public void whenDurable(long lsn, DurabilityListener listener) {
        if (lsn <= 0) {
            listener.onDurable();
            return;
        }
        log.whenDurable(lsn, listener);
    }

    @Override
    public void endOfBatch() {
        log.flush();
    }

    @Override
    public List<CommandSpec> commands() {
        return engine.commands();
    }

    @Override
    public Map<String, Map<String, String>> info() {
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        out.put("memory", EngineInfo.memory(engine));
        Map<String, String> persistence = new LinkedHashMap<>();
        persistence.put("loading", "0");
        persistence.put("data_dir", config.dir().toAbsolutePath().toString());
        persistence.put("raft_log", "ratis");
        DivisionInfo d = divisionInfo();
        persistence.put("raft_applied_index", Long.toString(d == null ? -1 : d.getLastAppliedIndex()));
        persistence.put("raft_rebuilds", Long.toString(rebuilds));
        long[] counts = log.counts();
        persistence.put("raft_batches", Long.toString(counts[0]));
        persistence.put("raft_batches_failed", Long.toString(counts[1]));
        persistence.put("raft_batches_in_flight", Long.toString(counts[2]));
        persistence.put("wal_last_status", stopped == null ? "ok" : "err: " + stopped);
        out.put("persistence", persistence);
        out.put("replication", replicationInfo());
        out.put("cluster", Map.of("cluster_enabled", "1"));
        out.put("keyspace", EngineInfo.keyspace(engine));
        return out;
    }

    @Override
    public SnapshotResult saveSnapshot() throws IOException {
        throw new IOException("a replicated node keeps its state in the Raft log; snapshots of it (folded into"
                + " Raft snapshots) are not built yet");
    }

    @Override
    public void abortSnapshots() {
    }

    @Override
    public void allowSnapshots() {
    }

    @Override
    public QrrotOptions options() {
        return options;
    }

    @Override
    public void setMaxMemory(long bytes) {
        engine.setMaxMemory(bytes);
    }

    @Override
    public boolean setEncodingLimit(String name, long value) {
        return engine.setEncodingLimit(name, value);
    }

    @Override
    public long encodingLimit(String name) {
        return engine.encodingLimit(name);
    }

    @Override
    public long memoryUsage(byte[] key) {
        return engine.memoryUsage(key);
    }

    @Override
    public void setKeyReadyListener(Engine.KeyReadyListener listener) {
        engine.setKeyReadyListener(listener);
    }

    @Override
    public Cluster cluster() {
        return this;
    }

    /** The engine (tests). */
    public Engine engine() {
        return engine;
    }

    /** True while this node leads and takes writes. */
    public boolean leading() {
        return log.accepting();
    }

    /** How many times memory was rebuilt from the committed log after a lost lead. */
    public long rebuilds() {
        return rebuilds;
    }

    /** Asks this node to give up leading (another member is elected); completes when it did. */
    public void stepDown() throws IOException {
        server.transferLeadership(new TransferLeadershipRequest(clientId, selfId, groupId, callIds.incrementAndGet(),
                null, 10_000));
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        expirer.interrupt();
        try {
            expirer.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.stopAccepting();
        try {
            server.close();
        } finally {
            memory.writeLock().lock();
            try {
                engine.close();
            } finally {
                memory.writeLock().unlock();
            }
        }
    }

    // ---------------------------------------------------------------- Cluster

    @Override
    public String route(CommandSpec spec, CommandArgs args, boolean readOnlyClient) {
        if (log.accepting()) {
            return null;
        }
        boolean write = spec.is(CommandSpec.Flag.WRITE);
        if (stopped != null) {
            return "CLUSTERDOWN this node stopped: " + stopped;
        }
        boolean keyed = spec.firstKey() > 0 && args.count() > spec.firstKey();
        if (!write && (readOnlyClient || !keyed)) {
            return null; // a follower's read, or a read without a key (DBSIZE, SCAN): served from this node's memory
        }
        if (!keyed) {
            return ReplicatedLog.NOT_LEADER;
        }
        ClusterConfig.Peer l = leader;
        if (l == null) {
            return "CLUSTERDOWN The cluster is down";
        }
        if (l == self) {
            return "TRYAGAIN the new leader is applying its log; try again";
        }
        return "MOVED " + Slots.of(args, spec.firstKey()) + " " + l.host() + ":" + l.port();
    }

    @Override
    public String routeMemcached() {
        if (log.accepting()) {
            return null;
        }
        ClusterConfig.Peer l = leader;
        if (stopped != null || l == null || l == self) {
            return "SERVER_ERROR no leader: try again";
        }
        return "SERVER_ERROR not the leader: " + l.host() + ":" + l.port();
    }

    /**
     * CLUSTER FAILOVER on a follower: asks the leader to hand its leadership to this member (Ratis's leadership
     * transfer: the leader brings this member's log up to its own, then lets it stand for election). Returns at
     * once, as Redis does; the handover follows within an election or two.
     */
    @Override
    public String failover() {
        if (log.accepting()) {
            return "ERR You should send CLUSTER FAILOVER to a replica";
        }
        if (leader == null) {
            return "ERR no leader is known to take over from; try again once one is elected";
        }
        Thread t = new Thread(() -> {
            try (RaftClient client = RaftClient.newBuilder().setRaftGroup(group).setProperties(new RaftProperties())
                    .setClientId(ClientId.randomId()).build()) {
                RaftClientReply reply = client.admin().transferLeadership(selfId, 20_000);
                if (!reply.isSuccess()) {
                    LOG.warn("CLUSTER FAILOVER: the leadership transfer to {} failed: {}", self.name(),
                            reply.getException());
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("CLUSTER FAILOVER: the leadership transfer to {} failed: {}", self.name(), e.toString());
            }
        }, "qrrot-failover");
        t.setDaemon(true);
        t.start();
        return null;
    }

    @Override
    public String myId() {
        return self.redisId();
    }

    @Override
    public View view() {
        DivisionInfo d = divisionInfo();
        ClusterConfig.Peer l = leader;
        // On the leader, each member's commit index as the leader knows it (by member id: Ratis's own order of
        // followers is not the peers' order).
        Map<String, Long> known = new java.util.HashMap<>();
        long commit = -1;
        try {
            RaftServer.Division division = server.getDivision(groupId);
            commit = division.getRaftLog().getLastCommittedIndex();
            if (d != null && d.isLeader()) {
                for (org.apache.ratis.proto.RaftProtos.CommitInfoProto c : division.getCommitInfos()) {
                    known.put(c.getServer().getId().toStringUtf8(), c.getCommitIndex());
                }
            }
        } catch (IOException | RuntimeException e) {
            // not started, or closed
        }
        List<Member> members = new ArrayList<>();
        for (ClusterConfig.Peer p : config.peers()) {
            long m = known.isEmpty() ? -1 : p == self ? d.getLastAppliedIndex() : known.getOrDefault(p.name(), -1L);
            members.add(new Member(p.redisId(), p.name(), p.host(), p.port(), p.raftPort(), p == self, p == l, m));
        }
        ClusterConfig.Peer owner = l != null ? l : lastLeader;
        return new View(d == null ? 0 : d.getCurrentTerm(), commit, d == null ? -1 : d.getLastAppliedIndex(),
                l == null ? null : l.redisId(), owner == null ? null : owner.redisId(), members);
    }

    @Override
    public Map<String, String> replicationInfo() {
        Map<String, String> r = new LinkedHashMap<>();
        View v = view();
        Member l = v.leader();
        boolean leads = log.accepting();
        r.put("role", leads ? "master" : "slave");
        if (!leads) {
            r.put("master_host", l == null ? "" : l.host());
            r.put("master_port", l == null ? "0" : Integer.toString(l.port()));
            r.put("master_link_status", l == null ? "down" : "up");
            r.put("slave_read_only", "1");
        } else {
            int i = 0;
            r.put("connected_slaves", Integer.toString(v.members().size() - 1));
            for (Member m : v.members()) {
                if (!m.self()) {
                    r.put("slave" + i++, "ip=" + m.host() + ",port=" + m.port() + ",state=online,offset="
                            + Math.max(0, m.matchIndex()) + ",lag=" + Math.max(0, v.commitIndex() - m.matchIndex()));
                }
            }
        }
        r.put("master_replid", groupIdHex());
        r.put("master_repl_offset", Long.toString(Math.max(0, v.appliedIndex())));
        r.put("raft_node", self.name());
        r.put("raft_term", Long.toString(v.term()));
        r.put("raft_commit_index", Long.toString(v.commitIndex()));
        r.put("raft_applied_index", Long.toString(v.appliedIndex()));
        r.put("raft_rebuilds", Long.toString(rebuilds));
        return r;
    }

    private String groupIdHex() {
        return config.groupId().toString().replace("-", "") + "00000000";
    }

    private DivisionInfo divisionInfo() {
        try {
            return server.getDivision(groupId).getInfo();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- the applier's side

    /** A committed entry: this node's own (already in memory) or one to apply. Runs on Ratis's applier. */
    void applyCommitted(long term, long index, ByteString data) {
        UnsafeBuffer b = new UnsafeBuffer(data.asReadOnlyByteBuffer());
        int length = data.size();
        BatchFormat.Header h = BatchFormat.Header.read(b, length);
        if (h.origin() == origin && h.epoch() == speculativeEpoch) {
            if (h.previous() == ownApplied) {
                ownApplied = h.last(); // applied when it was written
                return;
            }
            LOG.warn("entry {} follows a batch of this node's that never reached the log (previous position {}, last"
                    + " in the log {}): rebuilding memory from the log", index, h.previous(), ownApplied);
            rebuild(index - 1);
        } else if (speculativeEpoch >= 0) {
            settle(index - 1);
        }
        applyEffects(b, length, h);
    }

    private void applyEffects(DirectBuffer b, int length, BatchFormat.Header h) {
        memory.readLock().lock();
        try {
            BatchFormat.forEachEffect(b, length, h, engine::applyEffect);
        } finally {
            memory.readLock().unlock();
        }
    }

    /** An entry that is not a batch (a new term's first entry, a membership change). */
    void otherEntry(long term, long index) {
        if (speculativeEpoch >= 0 && term > speculativeEpoch) {
            settle(index - 1);
        }
    }

    /**
     * This node stopped leading epoch {@link #speculativeEpoch} and the log has moved past it: if every effect
     * it applied reached the log, memory is the log's; otherwise rebuild it from entries up to {@code upTo}.
     */
    private void settle(long upTo) {
        long appended = log.stopAccepting();
        if (appended != ownApplied) {
            LOG.warn("this node applied effects up to position {} as leader, but the log holds them only up to {}:"
                    + " rebuilding memory from the log up to index {}", appended, ownApplied, upTo);
            rebuild(upTo);
        } else {
            speculativeEpoch = -1;
        }
    }

    /** Clears memory and applies every committed entry up to {@code upTo} again. Sessions wait meanwhile. */
    private void rebuild(long upTo) {
        long t0 = System.nanoTime();
        memory.writeLock().lock();
        try {
            engine.applyEffect(new UnsafeBuffer(clearRecord), 0, clearRecord.length);
            RaftLog raftLog = server.getDivision(groupId).getRaftLog();
            for (long i = Math.max(0, raftLog.getStartIndex()); i <= upTo; i++) {
                LogEntryProto e = raftLog.get(i);
                if (e != null && e.hasStateMachineLogEntry()) {
                    ByteString data = e.getStateMachineLogEntry().getLogData();
                    UnsafeBuffer b = new UnsafeBuffer(data.asReadOnlyByteBuffer());
                    BatchFormat.forEachEffect(b, data.size(), BatchFormat.Header.read(b, data.size()),
                            engine::applyEffect);
                }
            }
            speculativeEpoch = -1;
            ownApplied = log.lastEffectLsn();
            rebuilds++;
        } catch (IOException e) {
            throw new IllegalStateException("could not read the Raft log to rebuild memory: " + e.getMessage(), e);
        } finally {
            memory.writeLock().unlock();
        }
        lastRebuildMillis = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("rebuilt memory from the log up to index {} in {} ms", upTo, lastRebuildMillis);
    }

    /** This node's first entry as leader is applied: everything before it is in memory. Start taking writes. */
    void leaderReady() {
        DivisionInfo d = divisionInfo();
        if (d == null || !d.isLeader() || closed.get() || stopped != null) {
            return;
        }
        long term = d.getCurrentTerm();
        if (speculativeEpoch >= 0) {
            settle(d.getLastAppliedIndex());
        }
        speculativeEpoch = term;
        ownApplied = log.lastEffectLsn();
        log.startAccepting(term);
        LOG.info("{} leads term {}", self.name(), term);
    }

    /** Ratis's leader changed (null: none known, or this node stopped leading). */
    void leaderChanged(RaftPeerId id) {
        ClusterConfig.Peer l = null;
        if (id != null) {
            for (ClusterConfig.Peer p : config.peers()) {
                if (p.name().equals(id.toString())) {
                    l = p;
                }
            }
        }
        if (l != self) {
            log.stopAccepting();
        }
        if (l != null) {
            lastLeader = l;
        }
        leader = l;
    }

    /** An entry the engine refused: this node leaves the group instead of diverging from it. */
    void cannotApply(long index, Throwable e) {
        stopped = "could not apply log entry " + index + " (" + e + ")";
        LOG.error("{}; this node stops: restart it to rebuild memory from the log", stopped, e);
        log.stopAccepting();
        Thread t = new Thread(() -> {
            try {
                server.close();
            } catch (IOException | RuntimeException ex) {
                LOG.error("stopping the Raft server failed", ex);
            }
        }, "qrrot-raft-stop");
        t.setDaemon(true);
        t.start();
    }

    // ---------------------------------------------------------------- the leader's clock

    private void expireLoop() {
        while (!closed.get()) {
            try {
                Thread.sleep(EXPIRE_PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            if (!log.accepting()) {
                continue; // only the leader expires keys, through the log
            }
            try {
                int deleted;
                do {
                    memory.readLock().lock();
                    try {
                        deleted = engine.activeExpireCycle(log, EXPIRE_BUDGET);
                    } finally {
                        memory.readLock().unlock();
                    }
                    log.flush(); // outside the memory lock: a rebuild waits for that lock on Ratis's applier
                } while (deleted > EXPIRE_BUDGET / 4 && !closed.get());
            } catch (EffectLogException e) {
                // lost the lead meanwhile
            } catch (RuntimeException e) {
                LOG.error("active expiry failed: {}", e.toString(), e);
            }
        }
    }

    // ---------------------------------------------------------------- Raft

    private final class RaftSubmitter implements ReplicatedLog.Submitter {
        @Override
        public void write(byte[] entry, ReplicatedLog.Batch batch) {
            submit(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)), RaftClientRequest.writeRequestType(),
                    batch, ReplicatedLog.UNCERTAIN);
        }

        @Override
        public void readBarrier(ReplicatedLog.Batch batch) {
            submit(Message.EMPTY, RaftClientRequest.readRequestType(), batch, ReplicatedLog.READ_FAILED);
        }

        private void submit(Message m, RaftClientRequest.Type type, ReplicatedLog.Batch batch, String failure) {
            RaftClientRequest request = RaftClientRequest.newBuilder()
                    .setClientId(clientId).setServerId(selfId).setGroupId(groupId)
                    .setCallId(callIds.incrementAndGet()).setMessage(m).setType(type).build();
            try {
                server.submitClientRequestAsync(request).whenComplete((reply, e) ->
                        log.completed(batch, e == null && reply.isSuccess() ? null : failure));
            } catch (IOException e) {
                log.completed(batch, failure);
            }
        }

        @Override
        public void failed(ReplicatedLog.Batch batch, String reason) {
            DivisionInfo d = divisionInfo();
            if (d != null && d.isLeader() && !closed.get()) {
                LOG.warn("a batch failed while this node leads ({}): stepping down so that memory is rebuilt", reason);
                Thread t = new Thread(() -> {
                    try {
                        stepDown();
                    } catch (IOException | RuntimeException e) {
                        LOG.error("stepping down failed: {}", e.toString());
                    }
                }, "qrrot-step-down");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    // ---------------------------------------------------------------- sessions

    private final class ReplicatedSession implements Session {
        private final io.qrrot.engine.Session session;

        ReplicatedSession(io.qrrot.engine.Session session) {
            this.session = session;
        }

        @Override
        public long execute(CommandArgs args, ReplySink out) {
            memory.readLock().lock();
            try {
                if (closed.get()) {
                    out.error("ERR the database is shutting down");
                    return 0;
                }
                long lsn = engine.execute(session, args, out, log);
                return lsn != 0 || session.inTransaction() ? lsn : log.readPosition();
            } finally {
                memory.readLock().unlock();
            }
        }

        @Override
        public long executeMemcached(io.qrrot.engine.Memcached.Request request, io.qrrot.engine.Memcached.Sink out) {
            memory.readLock().lock();
            try {
                if (closed.get()) {
                    out.error("SERVER_ERROR the database is shutting down");
                    return 0;
                }
                long lsn = engine.executeMemcached(session, request, out, log);
                return lsn != 0 ? lsn : log.readPosition();
            } finally {
                memory.readLock().unlock();
            }
        }

        @Override
        public boolean inTransaction() {
            return session.inTransaction();
        }

        @Override
        public long takeBlock() {
            return session.takeBlock();
        }

        @Override
        public void close() {
            session.close();
        }
    }
}
