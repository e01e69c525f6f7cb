package io.xdpmesh.control.identity;

import io.spiffe.svid.x509svid.X509Svid;
import io.xdpmesh.control.ca.SvidLayout;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.cert.CertificateEncodingException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SVIDs from files, as spiffe-helper writes them: a root directory with one sub-directory per
 * identity ({@link SvidLayout}). Directories are watched (inotify through {@link WatchService}),
 * and every few seconds all are re-checked as a safety net; a directory is reloaded when its files
 * change, and the store hears of a rotation only when the certificate or key really changed. A
 * directory caught half-written (key and certificate that do not match) keeps its old SVID and is
 * retried on the next event or check.
 */
public final class FileSvidSource implements SvidSource {
    private static final System.Logger LOG = System.getLogger(FileSvidSource.class.getName());

    private final Path root;
    private final IdentityStore store;
    private final long recheckMillis;
    private final Map<Path, byte[]> loaded = new ConcurrentHashMap<>();
    /** Per directory, the file attributes its loaded SVID was read from (skip re-parsing unchanged files). */
    private final Map<Path, String> stamps = new ConcurrentHashMap<>();
    private final Set<Path> watched = ConcurrentHashMap.newKeySet();
    private final AtomicLong rotations = new AtomicLong();
    private final AtomicLong loadFailures = new AtomicLong();
    private WatchService watcher;
    private Thread thread;
    private volatile boolean running;

    public FileSvidSource(Path root, IdentityStore store) {
        this(root, store, 2000);
    }

    public FileSvidSource(Path root, IdentityStore store, long recheckMillis) {
        this.root = root;
        this.store = store;
        this.recheckMillis = recheckMillis;
    }

    @Override
    public void start() throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a directory of SVID directories");
        }
        watcher = root.getFileSystem().newWatchService();
        watch(root);
        scanAll();
        if (loaded.isEmpty()) {
            LOG.log(Level.WARNING, "no SVID found under {0} (expected <dir>/<identity>/{1})", root, SvidLayout.SVID);
        }
        running = true;
        thread = Thread.ofPlatform().daemon().name("xdpmesh-svid-files").start(this::run);
    }

    private void watch(Path dir) throws IOException {
        if (watched.add(dir)) {
            dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        }
    }

    private void run() {
        long nextCheck = System.currentTimeMillis() + recheckMillis;
        while (running) {
            try {
                WatchKey key = watcher.poll(Math.max(1, nextCheck - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                    // Let a writer finish its group of files (key, bundle, chain) before reading.
                    Thread.sleep(30);
                    WatchKey more;
                    while ((more = watcher.poll()) != null) {
                        more.pollEvents();
                        more.reset();
                    }
                    scanAll();
                }
                if (System.currentTimeMillis() >= nextCheck) {
                    scanAll();
                    nextCheck = System.currentTimeMillis() + recheckMillis;
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException | IOException e) {
                LOG.log(Level.WARNING, "SVID directory scan of " + root + " failed", e);
            }
        }
    }

    /** Re-reads every identity directory; public so a caller can force a check. */
    public synchronized void scanAll() throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, Files::isDirectory)) {
            for (Path dir : dirs) {
                if (Files.exists(SvidLayout.svid(dir))) {
                    watch(dir);
                    reload(dir);
                }
            }
        }
    }

    private void reload(Path dir) {
        // The periodic recheck must not parse every certificate and sign with every key each time
        // (with a hundred identities that is CPU the handshakes of new pairs wait for): unchanged
        // files (same inode, size and mtime, last written over a second ago) are skipped.
        String stamp = stamp(dir);
        if (stamp != null && stamp.equals(stamps.get(dir)) && loaded.containsKey(dir)) {
            return;
        }
        SvidFiles.Loaded l;
        try {
            l = SvidFiles.load(dir);
        } catch (IOException e) {
            loadFailures.incrementAndGet();
            LOG.log(Level.DEBUG, "SVID in {0} not loadable (yet): {1}", dir, e.getMessage());
            return;
        }
        byte[] fp = fingerprint(l.svid());
        byte[] old = loaded.get(dir);
        if (stamp != null) {
            stamps.put(dir, stamp);
        } else {
            stamps.remove(dir);
        }
        if (old != null && Arrays.equals(old, fp)) {
            return;
        }
        loaded.put(dir, fp);
        if (old != null) {
            rotations.incrementAndGet(); // before the store tells its listeners: they may read it
        }
        store.putBundle(l.bundle());
        store.put(l.svid());
        if (old != null) {
            LOG.log(Level.INFO, "SVID rotated: {0} (NotAfter {1})", l.svid().getSpiffeId(),
                    l.svid().getLeaf().getNotAfter().toInstant());
        } else {
            LOG.log(Level.INFO, "SVID loaded: {0} from {1}", l.svid().getSpiffeId(), dir);
        }
    }

    /** inode, size and mtime of the three files, or null when any is missing or written in the last second. */
    private static String stamp(Path dir) {
        StringBuilder b = new StringBuilder();
        long recent = System.currentTimeMillis() - 1000;
        for (Path f : new Path[] {SvidLayout.svid(dir), SvidLayout.key(dir), SvidLayout.bundle(dir)}) {
            try {
                var a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
                long mtime = a.lastModifiedTime().toMillis();
                if (mtime > recent) {
                    return null;
                }
                b.append(a.fileKey()).append('/').append(a.size()).append('/').append(a.lastModifiedTime()).append(';');
            } catch (IOException e) {
                return null;
            }
        }
        return b.toString();
    }

    private static byte[] fingerprint(X509Svid svid) {
        try {
            byte[] cert = svid.getLeaf().getEncoded();
            byte[] key = svid.getPrivateKey().getEncoded();
            byte[] out = Arrays.copyOf(cert, cert.length + key.length);
            System.arraycopy(key, 0, out, cert.length, key.length);
            return java.security.MessageDigest.getInstance("SHA-256").digest(out);
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public long rotations() { return rotations.get(); }
    public long loadFailures() { return loadFailures.get(); }

    @Override
    public String describe() {
        return "files under " + root + " (" + loaded.size() + " identities, " + rotations.get() + " rotations)";
    }

    @Override
    public void close() {
        running = false;
        try {
            if (watcher != null) {
                watcher.close();
            }
        } catch (IOException ignored) {
            // closing only
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
