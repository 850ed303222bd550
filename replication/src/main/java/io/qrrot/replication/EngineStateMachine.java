package io.qrrot.replication;

import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;

/**
 * The Raft state machine: the engine, fed the committed entries in log order by Ratis's applier thread.
 * Everything it is told goes to {@link ReplicatedQrrot}, which owns the engine and the log; this class only
 * translates Ratis's calls and keeps the last applied index.
 */
final class EngineStateMachine extends BaseStateMachine {
    private final ReplicatedQrrot node;

    EngineStateMachine(ReplicatedQrrot node) {
        this.node = node;
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        try {
            node.applyCommitted(entry.getTerm(), entry.getIndex(), entry.getStateMachineLogEntry().getLogData());
        } catch (RuntimeException | Error e) {
            // Memory no longer follows the log: stop this node rather than let it diverge.
            node.cannotApply(entry.getIndex(), e);
            return CompletableFuture.failedFuture(e);
        }
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        node.otherEntry(term, index);
        super.notifyTermIndexUpdated(term, index);
    }

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto conf) {
        node.otherEntry(term, index);
    }

    @Override
    public void notifyLeaderReady() {
        node.leaderReady();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId leader) {
        node.leaderChanged(leader);
    }

    @Override
    public void notifyNotLeader(Collection<TransactionContext> pending) {
        node.leaderChanged(null);
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        // A read barrier: Ratis calls this once the leader confirmed its leadership and applied up to the read
        // index. The reads it confirms already ran; there is nothing to return.
        return CompletableFuture.completedFuture(Message.EMPTY);
    }

    @Override
    public long takeSnapshot() {
        return RaftLog.INVALID_LOG_INDEX;
    }
}
