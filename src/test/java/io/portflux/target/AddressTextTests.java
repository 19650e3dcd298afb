package io.portflux.target;

import static org.assertj.core.api.Assertions.assertThat;

import inet.ipaddr.IPAddressString;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressTextTests {

    @Test
    void addressesAreWrittenTheWayPeopleReadThem() throws Exception {
        assertThat(AddressText.of(InetAddress.getByName("127.0.0.1"))).isEqualTo("127.0.0.1");
        assertThat(AddressText.of(InetAddress.getByName("::1"))).isEqualTo("::1");
        assertThat(AddressText.of(InetAddress.getByName("2001:db8:0:0:0:0:0:1"))).isEqualTo("2001:db8::1");
    }

    @Test
    void blocksAreAnAddressACidrOrARange() {
        assertThat(AddressText.of(new IPAddressString("127.0.0.1").getAddress().toSequentialRange())).isEqualTo("127.0.0.1");
        assertThat(AddressText.of(new IPAddressString("127.0.0.0/24").getAddress().toSequentialRange())).isEqualTo("127.0.0.0/24");
        assertThat(AddressText.of(new IPAddressString("127.0.0.1-20").getSequentialRange())).isEqualTo("127.0.0.1-127.0.0.20");
        assertThat(AddressText.of(new IPAddressString("::1").getAddress().toSequentialRange())).isEqualTo("::1");
    }
}
