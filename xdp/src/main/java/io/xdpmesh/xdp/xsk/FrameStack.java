package io.xdpmesh.xdp.xsk;

/**
 * Free UMEM frames as a LIFO stack of frame base addresses (UMEM offsets): allocation-free,
 * single-threaded (one per dataplane thread), and recently used frames are reused first while
 * still warm in cache. {@link #free(long)} accepts any address inside a frame.
 */
public final class FrameStack {
    private final long[] stack;
    private final long frameMask;
    private int top;

    /** A stack that holds every frame of a UMEM of frameCount frames of frameSize bytes. */
    public FrameStack(int frameCount, int frameSize) {
        if (Integer.bitCount(frameSize) != 1) {
            throw new IllegalArgumentException("frame size must be a power of two");
        }
        this.stack = new long[frameCount];
        this.frameMask = ~((long) frameSize - 1);
        for (int i = frameCount - 1; i >= 0; i--) {
            stack[top++] = (long) i * frameSize;
        }
    }

    /** A frame base address, or -1 when none is free. */
    public long alloc() {
        return top == 0 ? -1L : stack[--top];
    }

    /** Returns a frame (any address inside it). */
    public void free(long umemAddr) {
        if (top == stack.length) {
            throw new IllegalStateException("frame freed twice: more frees than frames");
        }
        stack[top++] = umemAddr & frameMask;
    }

    public int available() {
        return top;
    }

    public int capacity() {
        return stack.length;
    }
}
