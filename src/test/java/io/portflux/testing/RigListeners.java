package io.portflux.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * RigListeners is the process that listens on a {@link NetnsRig}'s target side: it binds the address and
 * ports it is given, accepts and closes every connection, prints {@code listening} once all are bound, and
 * exits when its standard input closes (the rig stops it, or the test JVM dies).
 *
 * <p>Arguments: the address, then the ports.
 */
public final class RigListeners {

    private RigListeners() {}

    public static void main(String[] args) throws IOException {
        InetAddress address = InetAddress.getByName(args[0]);
        List<ServerSocket> servers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            ServerSocket server = new ServerSocket(Integer.parseInt(args[i]), 128, address);
            servers.add(server);
            Thread acceptor = new Thread(() -> acceptForever(server), "accept-" + args[i]);
            acceptor.setDaemon(true);
            acceptor.start();
        }
        System.out.println("listening");
        System.out.flush();
        while (System.in.read() >= 0) {
            // Wait for end of input.
        }
        for (ServerSocket server : servers) {
            server.close();
        }
    }

    private static void acceptForever(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket accepted = server.accept()) {
                // Accepted and closed: the handshake is all a connect scan asks of a listener.
            } catch (IOException closed) {
                return;
            }
        }
    }
}
