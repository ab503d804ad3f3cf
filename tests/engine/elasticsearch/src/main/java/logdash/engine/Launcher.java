package logdash.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.elasticsearch.Build;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.rest.RestController;

/**
 * Starts a real Elasticsearch cluster of N nodes inside this JVM, on loopback.
 *
 * <p>Arguments: the cluster's folder, the number of nodes, the first HTTP port (node i listens on
 * port + i, its transport on port + 100 + i), and the folder holding the transport-netty4
 * module's jars. Each node gets a home as a distribution lays it out (config/, modules/, data/).
 * Each node also answers {@code GET /} ({@link RootHandler}). Prints "started" once every node runs; the cluster may still be electing a master then, so
 * callers wait for green over HTTP. Runs until killed.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path cluster = Path.of(args[0]).toAbsolutePath();
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
        List<Node> nodes = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(nodes)));
        for (int i = 0; i < count; i++) {
            Path home = cluster.resolve(names.get(i));
            layOutHome(home, netty);
            Settings.Builder settings = Settings.builder()
                .put("cluster.name", "logdash-engine")
                .put("node.name", names.get(i))
                .put("path.home", home.toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort + i)
                .put("transport.port", httpPort + 100 + i)
                // A laptop's disk may be fuller than Elasticsearch's watermarks allow.
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.destructive_requires_name", false);
            if (count == 1) {
                settings.put("discovery.type", "single-node");
            } else {
                settings.putList("discovery.seed_hosts", seeds).putList("cluster.initial_master_nodes", names);
            }
            Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings.build(), Map.of(), home.resolve("config"), names.get(i)::toString);
            PluginsLoader plugins = PluginsLoader.createPluginsLoader(
                PluginsLoader.loadModulesBundles(environment.modulesDir()),
                PluginsLoader.loadPluginsBundles(environment.pluginsDir()),
                Map.of(),
                // The server is on the class path here, not a Java module as in a distribution.
                false);
            Node node = i == 0 ? new Node(environment, plugins) : new FollowingNode(environment, plugins);
            synchronized (nodes) {
                nodes.add(node);
            }
            node.start();
            node.injector().getInstance(RestController.class).registerHandler(
                new RootHandler(names.get(i), node.injector().getInstance(ClusterService.class)));
        }
        System.out.println("started");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** config/, plugins/ and modules/transport-netty4 with the module's jars and descriptor. */
    private static void layOutHome(Path home, Path netty) throws IOException {
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

    /**
     * A second or later node in this JVM: the log's node and cluster ids are set once per JVM,
     * by the first node, as Elasticsearch's own MockNode leaves them to its first node too.
     */
    private static final class FollowingNode extends Node {
        FollowingNode(Environment environment, PluginsLoader plugins) {
            super(environment, plugins);
        }

        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {}
    }

    private static void closeAll(List<Node> nodes) {
        synchronized (nodes) {
            for (Node node : nodes) {
                try {
                    node.close();
                } catch (IOException | RuntimeException e) {
                    e.printStackTrace();
                }
            }
        }
    }
}
