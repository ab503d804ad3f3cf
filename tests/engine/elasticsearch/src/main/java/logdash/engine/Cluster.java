package logdash.engine;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.rest.RestController;

/**
 * The nodes of this JVM's cluster, by number: each can be stopped and started again on its own
 * folder, as a machine of a real cluster goes down and comes back with its data.
 */
final class Cluster {
    private final Path dir;
    private final List<String> names;
    private final List<String> seeds;
    private final int httpPort;
    private final Path netty;
    /** The running node of each number, or null while it is stopped. */
    private final List<Node> nodes = new ArrayList<>();

    Cluster(Path dir, List<String> names, List<String> seeds, int httpPort, Path netty) {
        this.dir = dir;
        this.names = names;
        this.seeds = seeds;
        this.httpPort = httpPort;
        this.netty = netty;
        for (int i = 0; i < names.size(); i++) {
            nodes.add(null);
        }
    }

    /** The number of the node called {@code name}, or -1. */
    int number(String name) {
        return names.indexOf(name);
    }

    synchronized boolean running(int i) {
        return nodes.get(i) != null;
    }

    /** Starts node i on its folder (kept from an earlier run, if any). */
    synchronized void start(int i) throws Exception {
        if (nodes.get(i) != null) {
            return;
        }
        String name = names.get(i);
        Path home = dir.resolve(name);
        Launcher.layOutHome(home, netty);
        Settings.Builder settings = Settings.builder()
            .put("cluster.name", "logdash-engine")
            .put("node.name", name)
            .put("path.home", home.toString())
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort + i)
            .put("transport.port", httpPort + 100 + i)
            // A laptop's disk may be fuller than Elasticsearch's watermarks allow.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.destructive_requires_name", false);
        if (names.size() == 1) {
            settings.put("discovery.type", "single-node");
        } else {
            settings.putList("discovery.seed_hosts", seeds).putList("cluster.initial_master_nodes", names);
        }
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings.build(), Map.of(), home.resolve("config"), name::toString);
        PluginsLoader plugins = PluginsLoader.createPluginsLoader(
            PluginsLoader.loadModulesBundles(environment.modulesDir()),
            PluginsLoader.loadPluginsBundles(environment.pluginsDir()),
            Map.of(),
            // The server is on the class path here, not a Java module as in a distribution.
            false);
        Node node = i == 0 ? new Node(environment, plugins) : new FollowingNode(environment, plugins);
        nodes.set(i, node);
        node.start();
        RestController rest = node.injector().getInstance(RestController.class);
        rest.registerHandler(new RootHandler(name, node.injector().getInstance(ClusterService.class)));
        if (i == 0) {
            rest.registerHandler(new NodeControl(this));
        }
    }

    /** Stops node i as a crash would look to the others: its connections close, its data stays. */
    synchronized void stop(int i) throws IOException {
        Node node = nodes.get(i);
        if (node != null) {
            nodes.set(i, null);
            node.close();
        }
    }

    synchronized void closeAll() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                stop(i);
            } catch (IOException | RuntimeException e) {
                e.printStackTrace();
            }
        }
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
}
