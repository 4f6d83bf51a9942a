package org.plangraph.neo4j;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * A Neo4j Community server for PlanGraph: the embedded database with Bolt on
 * 127.0.0.1 only and auth disabled (reachable from this machine alone).
 *
 * Usage: LocalNeo4j [port] [dataDir], or -Dplangraph.neo4j.port / -Dplangraph.neo4j.dir.
 * Runs until SIGTERM/SIGINT, then shuts the database down cleanly.
 */
public final class LocalNeo4j {
    public static void main(String[] args) throws InterruptedException {
        int port = Integer.parseInt(args.length > 0 ? args[0]
                : System.getProperty("plangraph.neo4j.port", "7687"));
        Path home = Path.of(args.length > 1 ? args[1]
                : System.getProperty("plangraph.neo4j.dir", "data")).toAbsolutePath();
        long pageCacheMiB = Long.getLong("plangraph.neo4j.pagecache.mib", 96L);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMiB))
                // Small transaction logs: no 256 MiB preallocated file per database.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(16))
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "64M size")
                .setConfig(GraphDatabaseSettings.udc_enabled, false) // no usage reports (no network here)
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                // Stop in ~1 s instead of ~10 s (default 5 s waits for idle Bolt threads/connections).
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("plangraph-neo4j: shutting down");
            dbms.shutdown();
            stopped.countDown();
        }, "plangraph-neo4j-shutdown"));

        // Touch the default database so start-up problems show here, not at the first query.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("plangraph-neo4j: Bolt listening on bolt://127.0.0.1:" + port + " (data " + home + ")");
        System.out.flush();
        stopped.await();
    }
}
