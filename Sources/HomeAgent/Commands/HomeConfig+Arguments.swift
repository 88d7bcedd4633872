import ArgumentParser
import Wire

// Lets `--type` and `--proxy-protocol` parse straight into the config's enums,
// so a wrong value is refused by ArgumentParser with the option's name and the
// accepted values, before anything is read or written.

extension ForwardType: ExpressibleByArgument {}

extension HomeConfig.ProxyProtocolVersion: ExpressibleByArgument {}
