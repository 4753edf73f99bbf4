package io.ferret4j.examples.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices that a client has closed its connection while its answer is being generated. Jetty learns of a closed
 * connection only when it reads or writes, and during a generation it does neither (the body has been read; a whole
 * answer is written at the end), so a client that gave up would be noticed only at {@code --timeout}. This watch
 * registers each connection in a selector of its own: the connection turning readable with no byte to read is its
 * end of stream (or a reset), which marks the request {@linkplain Watch#gone() gone}. Bytes that do arrive (a
 * pipelined next request) are left for Jetty, and the watch of that request stops. As nginx does for proxied
 * requests, a client that shuts down only its sending side counts as gone.
 *
 * <p>Every selector operation runs on the watch's own thread; {@link #watch} and {@link Watch#close()} only queue
 * them. A connection's key is never cancelled here, only given or denied interest, so a connection reused by the next
 * request is registered once; Jetty closing the connection deregisters it.
 */
final class ClientWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientWatch.class);

    private final Selector selector;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean open = true;

    private ClientWatch(Selector selector) {
        this.selector = selector;
        this.thread = new Thread(this::run, "ferret-client-watch");
        this.thread.setDaemon(true);
    }

    /** Starts the watching thread. */
    static ClientWatch start() {
        try {
            ClientWatch watch = new ClientWatch(Selector.open());
            watch.thread.start();
            return watch;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector to watch client connections", e);
        }
    }

    /**
     * Watches the connection of {@code ctx}'s request until the returned watch is closed.
     *
     * @throws IllegalStateException if the request did not come over a plain TCP connection (the server listens
     *                               on nothing else)
     */
    Watch watch(Context ctx) {
        EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
                .getConnection().getEndPoint();
        if (!(endPoint instanceof SocketChannelEndPoint socket)) {
            throw new IllegalStateException("cannot watch a client connection over " + endPoint.getClass().getName()
                    + ", expected a " + SocketChannelEndPoint.class.getSimpleName());
        }
        Watch watch = new Watch(socket.getChannel());
        submit(watch::register);
        return watch;
    }

    private void submit(Runnable task) {
        pending.add(task);
        selector.wakeup();
    }

    private void run() {
        while (open) {
            try {
                selector.select();
            } catch (IOException e) {
                LOG.error("the client watch's selector failed; disconnects are noticed at the next write only", e);
                return;
            }
            for (Runnable task; (task = pending.poll()) != null; ) {
                task.run();
            }
            for (SelectionKey key : selector.selectedKeys()) {
                if (key.isValid() && key.attachment() instanceof Watch w) {
                    w.readable(key);
                }
            }
            selector.selectedKeys().clear();
        }
    }

    /** Stops the thread; watches still open never report a disconnect afterwards. */
    @Override
    public void close() {
        open = false;
        selector.wakeup();
        try {
            thread.join();
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.warn("closing the client watch's selector failed", e);
        }
    }

    /** One request's watch: {@link #gone()} turns true once its client has closed the connection. */
    final class Watch implements AutoCloseable {
        private final SocketChannel channel;
        private volatile boolean gone;

        private Watch(SocketChannel channel) {
            this.channel = channel;
        }

        /** Whether the client has closed the connection (or reset it) since the watch began. */
        boolean gone() {
            return gone;
        }

        /** Stops watching (the connection stays open for Jetty). */
        @Override
        public void close() {
            submit(() -> {
                SelectionKey key = channel.keyFor(selector);
                if (key != null && key.isValid() && key.attachment() == this) {
                    key.interestOps(0);
                    key.attach(null);
                }
            });
        }

        private void register() {
            try {
                SelectionKey key = channel.keyFor(selector);
                if (key == null) {
                    channel.register(selector, SelectionKey.OP_READ, this);
                } else if (key.isValid()) {
                    key.attach(this);
                    key.interestOps(SelectionKey.OP_READ);
                } else {
                    gone = true;                                       // closed since the request arrived
                }
            } catch (ClosedChannelException e) {
                gone = true;
            }
        }

        /** Readable with nothing to read is the end of the stream; anything else is the next request's bytes. */
        private void readable(SelectionKey key) {
            try {
                gone = channel.socket().getInputStream().available() == 0;
            } catch (IOException e) {
                gone = true;
            }
            key.interestOps(0);
            key.attach(null);
        }
    }
}
