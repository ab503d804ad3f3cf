package logdash.engine;

import java.util.List;

import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.rest.RestChannel;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

/**
 * {@code POST /_engine/node/{name}/_stop} and {@code .../_start}: the test cluster's own switch,
 * on the first node only, so that a test can take a node away mid-session and bring it back.
 * The first node answers HTTP for the cluster and cannot be stopped this way. Not an
 * Elasticsearch API: a real cluster has no such thing, and logdash never calls it.
 */
final class NodeControl implements RestHandler {
    private final Cluster cluster;

    NodeControl(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public List<Route> routes() {
        return List.of(
            new Route(RestRequest.Method.POST, "/_engine/node/{name}/_stop"),
            new Route(RestRequest.Method.POST, "/_engine/node/{name}/_start"));
    }

    @Override
    public void handleRequest(RestRequest request, RestChannel channel, NodeClient client) throws Exception {
        String name = request.param("name");
        boolean stop = request.path().endsWith("/_stop");
        int number = cluster.number(name);
        if (number < 0 || (stop && number == 0)) {
            String reason = number < 0 ? "no node [" + name + "]" : "node-0 answers HTTP and stays up";
            XContentBuilder body = channel.newErrorBuilder();
            body.startObject().field("error", reason).field("status", 400).endObject();
            channel.sendResponse(new RestResponse(RestStatus.BAD_REQUEST, body));
            return;
        }
        // Starting and stopping take seconds: not on the HTTP thread.
        Thread worker = new Thread(() -> {
            try {
                if (stop) {
                    cluster.stop(number);
                } else {
                    cluster.start(number);
                }
                XContentBuilder body = channel.newBuilder();
                body.startObject().field("node", name).field("running", cluster.running(number)).endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, body));
            } catch (Exception e) {
                try {
                    channel.sendResponse(new RestResponse(channel, e));
                } catch (Exception ignored) {
                    e.printStackTrace();
                }
            }
        }, "engine-node-control");
        worker.start();
    }
}
