"""WeChat official-account channel (微信公众号): signature checks, message crypto, XML parsing."""
