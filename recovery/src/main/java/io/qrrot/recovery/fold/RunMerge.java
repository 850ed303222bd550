package io.qrrot.recovery.fold;

import java.io.IOException;

/**
 * The k-way merge of sorted runs, oldest first, into one stream in {@link Change#compare} order: a binary heap
 * of the runs by their current change (ties by age), and per key the changes of every run that has it folded
 * oldest first ({@link Change.Fold}), per element the newest run's change. The runs' current changes stay
 * where they are until the next {@link #next}, so the merge copies nothing. Element changes older than their
 * key's last reset pass through with their sequence; the final merge with the snapshot drops them. Closing it
 * closes the runs.
 */
final class RunMerge extends FoldedCursor {
    private final ChangeCursor[] runs;
    private final int[] heap;
    private int heapSize;
    /** The runs whose current change is the current key or element, oldest first: advanced by the next call. */
    private final int[] group;
    private int groupSize;

    RunMerge(ChangeCursor[] runs) throws IOException {
        this.runs = runs;
        this.heap = new int[runs.length];
        this.group = new int[runs.length];
        for (int i = 0; i < runs.length; i++) {
            if (runs[i].next()) {
                push(i);
            }
        }
    }

    @Override
    public boolean next() throws IOException {
        for (int g = 0; g < groupSize; g++) {
            int r = group[g];
            if (runs[r].next()) {
                push(r);
            }
        }
        groupSize = 0;
        if (heapSize == 0) {
            return false;
        }
        int first = pop();
        group[groupSize++] = first;
        while (heapSize > 0 && Change.compare(runs[heap[0]].buffer(), runs[heap[0]].at(),
                runs[first].buffer(), runs[first].at()) == 0) {
            group[groupSize++] = pop(); // ties pop oldest first
        }
        ChangeCursor newest = runs[group[groupSize - 1]];
        if (Change.isElement(newest.kind())) {
            currentIsElement(newest.buffer(), newest.at());
            return true;
        }
        fold.reset();
        for (int g = 0; g < groupSize; g++) {
            ChangeCursor c = runs[group[g]];
            fold.add(c.buffer(), c.at(), c.kind(), c.expiry(), c.sequence());
        }
        currentIsFold();
        return true;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (ChangeCursor r : runs) {
            try {
                r.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private boolean less(int a, int b) {
        int c = Change.compare(runs[a].buffer(), runs[a].at(), runs[b].buffer(), runs[b].at());
        return c < 0 || (c == 0 && a < b);
    }

    private void push(int run) {
        int i = heapSize++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(run, heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = run;
    }

    private int pop() {
        int top = heap[0];
        int last = heap[--heapSize];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && less(heap[child + 1], heap[child])) {
                child++;
            }
            if (!less(heap[child], last)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (heapSize > 0) {
            heap[i] = last;
        }
        return top;
    }
}
