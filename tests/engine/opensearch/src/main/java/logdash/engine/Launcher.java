package logdash.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.opensearch.cluster.service.ClusterService;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts a real OpenSearch cluster of N nodes inside this JVM, on loopback: the same arguments
 * and output as the Elasticsearch launcher (the cluster's folder, the number of nodes, the
 * first HTTP port; the fourth argument, a module folder, is not needed here: OpenSearch's
 * Node takes its HTTP module from the class path).
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Path cluster = Path.of(args[0]).toAbsolutePath();
        int count = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
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
            Files.createDirectories(home.resolve("config"));
            Settings.Builder settings = Settings.builder()
                .put("cluster.name", "logdash-engine")
                .put("node.name", names.get(i))
                .put("path.home", home.toString())
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort + i)
                .put("transport.port", httpPort + 100 + i)
                .put("transport.type", Netty4Plugin.NETTY_TRANSPORT_NAME)
                .put("http.type", Netty4Plugin.NETTY_HTTP_TRANSPORT_NAME)
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .put("action.destructive_requires_name", false);
            if (count == 1) {
                settings.put("discovery.type", "single-node");
            } else {
                settings.putList("discovery.seed_hosts", seeds).putList("cluster.initial_cluster_manager_nodes", names);
            }
            Environment environment = InternalSettingsPreparer.prepareEnvironment(
                settings.build(), Map.of(), home.resolve("config"), names.get(i)::toString);
            Node node = new ClasspathNode(environment, i == 0);
            synchronized (nodes) {
                nodes.add(node);
            }
            node.start();
        }
        System.out.println("started");
        System.out.flush();
        Thread.currentThread().join();
    }

    /** A node whose plugins come from the class path, as OpenSearch's own test nodes take them. */
    private static final class ClasspathNode extends Node {
        private final boolean first;

        ClasspathNode(Environment environment, boolean first) {
            super(environment, List.<Class<? extends Plugin>>of(Netty4Plugin.class), true);
            this.first = first;
        }

        /** The log's node and cluster ids are set once per JVM, by the first node. */
        @Override
        protected void configureNodeAndClusterIdStateListener(ClusterService clusterService) {
            if (first) {
                super.configureNodeAndClusterIdStateListener(clusterService);
            }
        }
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
