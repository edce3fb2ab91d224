package dev.wanx.e2e;

import dev.wanx.near.NearConfig;

class EndToEndTcpTest extends EndToEndTestBase {
    @Override NearConfig.Transport transport() { return NearConfig.Transport.TCP; }
}
