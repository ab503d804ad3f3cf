package logdash.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;

/**
 * Starts a real Elasticsearch cluster of N nodes inside this JVM, on loopback.
 *
 * <p>Arguments: the cluster's folder, the number of nodes, the first HTTP port (node i listens on
 * port + i, its transport on port + 100 + i), and the folder holding the transport-netty4
 * module's jars. Each node gets a home as a distribution lays it out (config/, modules/, data/).
 * Each node also answers {@code GET /} ({@link RootHandler}); the first node also lets tests stop
 * and restart the others ({@link NodeControl}). Prints "started" once every node runs; the
 * cluster may still be electing a master then, so callers wait for green over HTTP. Runs until
 * killed.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path clusterDir = Path.of(args[0]).toAbsolutePath();
        int count = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        Path netty = Path.of(args[3]).toAbsolutePath();
        // As Elasticsearch's own start-up does before anything logs: console logging at INFO.
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(Settings.EMPTY);

        List<String> names = new ArrayList<>();
        List<String> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("node-" + i);
            seeds.add("127.0.0.1:" + (httpPort + 100 + i));
        }
        Cluster cluster = new Cluster(clusterDir, names, seeds, httpPort, netty);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::closeAll));
        for (int i = 0; i < count; i++) {
            cluster.start(i);
        }
        System.out.println("started");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** config/, plugins/ and modules/transport-netty4 with the module's jars and descriptor. */
    static void layOutHome(Path home, Path netty) throws IOException {
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("plugins"));
        Path module = home.resolve("modules").resolve("transport-netty4");
        Files.createDirectories(module);
        try (Stream<Path> jars = Files.list(netty)) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                Path target = module.resolve(jar.getFileName());
                if (!Files.exists(target)) {
                    Files.createSymbolicLink(target, jar);
                }
            }
        }
        String version = Build.current().version();
        Files.writeString(module.resolve("plugin-descriptor.properties"), String.join("\n",
            "name=transport-netty4",
            "description=Netty 4 based transport implementation",
            "version=" + version,
            "elasticsearch.version=" + version,
            "java.version=17",
            "classname=org.elasticsearch.transport.netty4.Netty4Plugin",
            ""));
    }
}
