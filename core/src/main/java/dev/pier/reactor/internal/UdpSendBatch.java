package dev.pier.reactor.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.pier.libc.LibC;
import dev.pier.unix.Descriptors;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;

/**
 * Datagrams to go out of one UDP socket with a single Linux {@code sendmmsg(2)} call, made through the Foreign
 * Function and Memory API: one system call for a burst of replies instead of one each. Each datagram's bytes and
 * target are copied into native memory the batch owns, so the caller may reuse its buffer at once. At most
 * {@link #MAX_MESSAGES} datagrams and {@link #DATA_CAPACITY} bytes fit; the owner sends the batch when it is full.
 * Used on the port's loop thread only.
 */
final class UdpSendBatch {

    /** Datagrams per batch: as many as a UDP port receives per readiness event, so one burst's replies fit. */
    static final int MAX_MESSAGES = 64;
    /** Bytes of the datagrams per batch: 64 KiB, so even the largest datagram fits into an empty batch. */
    static final int DATA_CAPACITY = 64 * 1024;

    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;
    /** Room for a sockaddr_in or a sockaddr_in6, keeping every slot aligned. */
    private static final long ADDRESS_SLOT_SIZE = 32;
    private static final ValueLayout.OfShort NETWORK_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    /** {@code struct mmsghdr}: a {@code struct msghdr} and the byte count the kernel sent. */
    private static final StructLayout MMSGHDR = MemoryLayout.structLayout(
            LibC.MSGHDR.withName("msg_hdr"),
            JAVA_INT.withName("msg_len"),
            MemoryLayout.paddingLayout(4));

    private static final long MSG_NAME = messageHeaderOffset("msg_name");
    private static final long MSG_NAMELEN = messageHeaderOffset("msg_namelen");
    private static final long MSG_IOV = messageHeaderOffset("msg_iov");
    private static final long MSG_IOVLEN = messageHeaderOffset("msg_iovlen");
    private static final long IOV_BASE = LibC.IOVEC.byteOffset(groupElement("iov_base"));
    private static final long IOV_LEN = LibC.IOVEC.byteOffset(groupElement("iov_len"));

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment headers;
    private final MemorySegment iovecs;
    private final MemorySegment addresses;
    private final MemorySegment data;
    private final InetSocketAddress[] targets = new InetSocketAddress[MAX_MESSAGES];
    private final int[] dataOffsets = new int[MAX_MESSAGES];
    private int count;
    private int dataUsed;

    private UdpSendBatch(int fd) {
        this.fd = fd;
        headers = arena.allocate(MMSGHDR, MAX_MESSAGES);
        iovecs = arena.allocate(LibC.IOVEC, MAX_MESSAGES);
        addresses = arena.allocate(ADDRESS_SLOT_SIZE * MAX_MESSAGES, ADDRESS_SLOT_SIZE);
        data = arena.allocate(DATA_CAPACITY);
        // Each message always names its own address slot and single iovec; only their contents change.
        for (int i = 0; i < MAX_MESSAGES; i++) {
            MemorySegment header = header(i);
            header.set(ADDRESS, MSG_NAME, addresses.asSlice(i * ADDRESS_SLOT_SIZE));
            header.set(ADDRESS, MSG_IOV, iovecs.asSlice(i * LibC.IOVEC.byteSize()));
            header.set(JAVA_LONG, MSG_IOVLEN, 1L);
        }
    }

    /**
     * A batch for {@code channel}'s socket, or null where {@code sendmmsg} is out of reach: not Linux on x86_64 or
     * aarch64, no access to the channel's descriptor (the {@code sun.nio.ch} export), or a C library without it.
     */
    static UdpSendBatch open(DatagramChannel channel) {
        if (Sendmmsg.HANDLE == null) {
            return null;
        }
        try {
            return new UdpSendBatch(Descriptors.of(channel));
        } catch (UnsupportedOperationException | IllegalStateException e) {
            return null;
        }
    }

    /** How many datagrams the batch holds. */
    int size() {
        return count;
    }

    /**
     * Copies {@code datagram}'s remaining bytes into the batch as a datagram to {@code target}, consuming them;
     * false, leaving {@code datagram} as it was, when the batch is full or the target is not a resolved IP socket address.
     */
    boolean add(ByteBuffer datagram, SocketAddress target) {
        int length = datagram.remaining();
        if (count == MAX_MESSAGES || length > DATA_CAPACITY - dataUsed
                || !(target instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return false;
        }
        MemorySegment header = header(count);
        header.set(JAVA_INT, MSG_NAMELEN, encode(inet, addresses.asSlice(count * ADDRESS_SLOT_SIZE,
                ADDRESS_SLOT_SIZE)));
        MemorySegment.copy(MemorySegment.ofBuffer(datagram), 0, data, dataUsed, length);
        datagram.position(datagram.limit());
        MemorySegment iovec = iovecs.asSlice(count * LibC.IOVEC.byteSize(), LibC.IOVEC);
        iovec.set(ADDRESS, IOV_BASE, data.asSlice(dataUsed, length));
        iovec.set(JAVA_LONG, IOV_LEN, length);
        targets[count] = inet;
        dataOffsets[count] = dataUsed;
        dataUsed += length;
        count++;
        return true;
    }

    /**
     * Sends the datagrams from index {@code first} on with one {@code sendmmsg}; the kernel may take fewer than
     * offered.
     *
     * @return how many it sent, or -1 when it sent none: the socket buffer is full, or the datagram at
     *         {@code first} failed (send that one through the channel to learn why)
     */
    int send(int first) {
        try {
            return (int) Sendmmsg.HANDLE.invokeExact(fd, header(first), count - first, 0);
        } catch (Throwable t) {
            // A downcall reports failure through its result; anything thrown is a bug or a JVM error.
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException("sendmmsg threw", t);
        }
    }

    /** The bytes of datagram {@code index}, a view of the batch's memory valid until {@link #clear}. */
    ByteBuffer datagram(int index) {
        long end = index + 1 < count ? dataOffsets[index + 1] : dataUsed;
        return data.asSlice(dataOffsets[index], end - dataOffsets[index]).asByteBuffer();
    }

    /** The target of datagram {@code index}. */
    InetSocketAddress target(int index) {
        return targets[index];
    }

    /** Empties the batch. */
    void clear() {
        Arrays.fill(targets, 0, count, null);
        count = 0;
        dataUsed = 0;
    }

    /** Empties the batch and frees its memory, once the socket is closed; it takes nothing after. */
    void close() {
        clear();
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    private MemorySegment header(int index) {
        return headers.asSlice(index * MMSGHDR.byteSize());
    }

    /**
     * Writes {@code target} as a sockaddr_in or sockaddr_in6 into the zeroed-out {@code slot}. The kernel accepts
     * an IPv4 sockaddr_in on the JDK's dual-stack IPv6 sockets too.
     *
     * @return the address's length
     */
    private static int encode(InetSocketAddress target, MemorySegment slot) {
        slot.fill((byte) 0);
        InetAddress address = target.getAddress();
        byte[] bytes = address.getAddress();
        slot.set(NETWORK_SHORT, 2, (short) target.getPort());
        if (address instanceof Inet4Address) {
            slot.set(JAVA_SHORT, 0, (short) LibC.AF_INET);
            MemorySegment.copy(bytes, 0, slot, ValueLayout.JAVA_BYTE, 4, bytes.length);
            return SOCKADDR_IN_SIZE;
        }
        slot.set(JAVA_SHORT, 0, (short) LibC.AF_INET6);
        MemorySegment.copy(bytes, 0, slot, ValueLayout.JAVA_BYTE, 8, bytes.length);
        slot.set(JAVA_INT, 24, ((Inet6Address) address).getScopeId());
        return SOCKADDR_IN6_SIZE;
    }

    private static long messageHeaderOffset(String field) {
        return MMSGHDR.byteOffset(groupElement("msg_hdr"), groupElement(field));
    }

    /** The bound function, in a holder class so that only a port that batches binds it. */
    private static final class Sendmmsg {

        /** {@code int sendmmsg(int fd, struct mmsghdr *messages, unsigned int count, int flags)}, or null. */
        static final MethodHandle HANDLE = link();

        private static MethodHandle link() {
            try {
                Linker linker = Linker.nativeLinker();
                return linker.defaultLookup().find("sendmmsg")
                        .map(symbol -> linker.downcallHandle(symbol,
                                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)))
                        .orElse(null);
            } catch (UnsupportedOperationException | IllegalCallerException e) {
                // No native linker for this platform, or native access denied to this module.
                return null;
            }
        }
    }
}
