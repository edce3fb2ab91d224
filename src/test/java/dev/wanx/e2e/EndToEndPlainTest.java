package dev.wanx.e2e;

import dev.wanx.near.NearConfig;

/** The UDP carrier with data reduction switched off at the near (--no-reduce): bytes carried as they are. */
class EndToEndPlainTest extends EndToEndTestBase {
    @Override NearConfig.Transport transport() { return NearConfig.Transport.UDP; }

    @Override boolean reduce() { return false; }
}
