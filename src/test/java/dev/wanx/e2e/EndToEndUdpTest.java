package dev.wanx.e2e;

import dev.wanx.near.NearConfig;

class EndToEndUdpTest extends EndToEndTestBase {
    @Override NearConfig.Transport transport() { return NearConfig.Transport.UDP; }
}
